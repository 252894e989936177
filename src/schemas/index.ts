/**
 * `abmkit/schemas`: the zod 4 schemas behind abmkit's types, for callers who validate Apple's
 * JSON themselves (a webhook relay, a cache reader, a test fixture) or derive JSON Schema from
 * it. Every schema is a loose object: keys Apple adds later pass through.
 *
 * These values tie you to zod 4; the root `abmkit` entry exports only the types
 * (`AdeDevice`, `AdeProfile`, `DeviceListResponse`, …), which need no zod, and does not load
 * zod when imported (abmkit builds its schemas on first use). Importing this subpath builds
 * them all, with the zod that `import 'zod'` gives you.
 *
 * @example
 * ```ts
 * import { adeDeviceSchema } from 'abmkit/schemas';
 * const device = adeDeviceSchema.parse(JSON.parse(body));
 * ```
 *
 * @module
 */
// zod itself, statically: it is evaluated before this entry builds its schemas, so they are built
// with the zod instance `import 'zod'` gives (the root entry loads zod on first use instead).
import 'zod';
import { getAdeProfileResponseSchema, getAdeProfileSchema } from '../profiles/profile-schema.js';
import { getAccountDrivenEnrollmentProfileSchema } from '../resources/account-driven-enrollment.js';
import { getActivationLockResponseSchema } from '../resources/activation-lock.js';
import { getAssignProfileResponseSchema } from '../resources/assign-profile.js';
import { getDefineProfileResponseSchema } from '../resources/define-profile.js';
import { getDeviceListResponseSchema } from '../resources/device-list.js';
import { getDisownDevicesResponseSchema } from '../resources/disown-devices.js';
import { getAccountDetailSchema, getAccountUrlSchema } from '../resources/get-account.js';
import {
  getBetaEnrollmentTokenSchema,
  getBetaEnrollmentTokensResponseSchema,
} from '../resources/get-beta-enrollment-tokens.js';
import { getDeviceDetailsResponseSchema } from '../resources/get-device-details.js';
import { getReplacementDetailsSchema } from '../resources/get-replacement-details.js';
import { getRemoveProfileResponseSchema } from '../resources/remove-profile.js';
import { getAdeDeviceSchema } from './device.js';

/**
 * zod schema of an ADE profile as sent to `POST /profile` (Apple's keys, unchanged), with the
 * limits Apple documents checked locally. Unknown keys are kept (loose object) so that keys Apple
 * adds later pass through. `is_mdm_removable: false` requires `is_supervised: true`.
 *
 * Prefer `validateProfile` (from `abmkit`), which throws a `ProfileValidationError` listing every
 * issue.
 */
export const adeProfileSchema = getAdeProfileSchema();

/**
 * zod schema of a profile as Apple returns it from `GET /profile`: `profile_uuid` plus the
 * profile keys. Lenient: no local limits are enforced, `null` is tolerated for optional keys, and
 * unknown keys are kept.
 */
export const adeProfileResponseSchema = getAdeProfileResponseSchema();

/** `GET /account-driven-enrollment/profile` response. */
export const accountDrivenEnrollmentProfileSchema = getAccountDrivenEnrollmentProfileSchema();

/** `POST /device/activationlock` response. */
export const activationLockResponseSchema = getActivationLockResponseSchema();

/** Assign-profile response for one request of ≤ 1000 serials. */
export const assignProfileResponseSchema = getAssignProfileResponseSchema();

/** `POST /profile` response: the new profile's UUID and, if devices were sent, a result per serial. */
export const defineProfileResponseSchema = getDefineProfileResponseSchema();

/** Response of fetch and sync: one page of devices and the cursor after it. */
export const deviceListResponseSchema = getDeviceListResponseSchema();

/** `POST /devices/disown` response. */
export const disownDevicesResponseSchema = getDisownDevicesResponseSchema();

/** One capability entry of `/account` `urls` (protocol ≥ 3). */
export const accountUrlSchema = getAccountUrlSchema();

/** `GET /account` response: the MDM server and organisation behind the token. */
export const accountDetailSchema = getAccountDetailSchema();

/** One AppleSeed for IT beta-enrollment token. */
export const betaEnrollmentTokenSchema = getBetaEnrollmentTokenSchema();

/** `GET /os-beta-enrollment/tokens` response (older servers say `seedBuildTokens`). */
export const betaEnrollmentTokensResponseSchema = getBetaEnrollmentTokensResponseSchema();

/** `POST /devices` response: one record (with `response_status`) per serial. */
export const deviceDetailsResponseSchema = getDeviceDetailsResponseSchema();

/** `GET /device/replacementDetails` response (protocol ≥ 10). */
export const replacementDetailsSchema = getReplacementDetailsSchema();

/** `DELETE /profile/devices` response. */
export const removeProfileResponseSchema = getRemoveProfileResponseSchema();

/**
 * One ADE device record, with Apple's field names (see Apple's "Device" object). Only
 * `serial_number` is required; every other field is optional (and may be `null`), because fetch,
 * sync and details responses each carry a different subset, and older protocol versions omit the
 * newer fields. Unknown fields are kept.
 */
export const adeDeviceSchema = getAdeDeviceSchema();
