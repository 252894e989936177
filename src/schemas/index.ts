/**
 * `abmkit/schemas`: the zod 4 schemas behind abmkit's types, for callers who validate Apple's
 * JSON themselves (a webhook relay, a cache reader, a test fixture) or derive JSON Schema from
 * it. Every schema is a loose object: keys Apple adds later pass through.
 *
 * These values tie you to zod 4; the root `abmkit` entry exports only the types
 * (`AdeDevice`, `AdeProfile`, `DeviceListResponse`, …), which need no zod.
 *
 * @example
 * ```ts
 * import { adeDeviceSchema } from 'abmkit/schemas';
 * const device = adeDeviceSchema.parse(JSON.parse(body));
 * ```
 *
 * @module
 */
export { adeProfileResponseSchema, adeProfileSchema } from '../profiles/profile-schema.js';
export { accountDrivenEnrollmentProfileSchema } from '../resources/account-driven-enrollment.js';
export { activationLockResponseSchema } from '../resources/activation-lock.js';
export { assignProfileResponseSchema } from '../resources/assign-profile.js';
export { defineProfileResponseSchema } from '../resources/define-profile.js';
export { deviceListResponseSchema } from '../resources/device-list.js';
export { disownDevicesResponseSchema } from '../resources/disown-devices.js';
export { accountDetailSchema, accountUrlSchema } from '../resources/get-account.js';
export {
  betaEnrollmentTokenSchema,
  betaEnrollmentTokensResponseSchema,
} from '../resources/get-beta-enrollment-tokens.js';
export { deviceDetailsResponseSchema } from '../resources/get-device-details.js';
export { replacementDetailsSchema } from '../resources/get-replacement-details.js';
export { removeProfileResponseSchema } from '../resources/remove-profile.js';
export { adeDeviceSchema } from './device.js';
