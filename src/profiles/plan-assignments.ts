import { MAX_SERIALS_PER_REQUEST } from '../client/batch.js';
import { InvalidArgumentError } from '../errors/index.js';
import { type CompiledProfilePolicy, compilePolicy } from './compile-policy.js';
import type { ProfileDevice, ProfilePolicy } from './policy-types.js';
import { sameProfileUuid } from './profile-uuid.js';
import { checkDevices, resolveCompiled } from './resolve-profile.js';
import { normaliseSerial } from './serial.js';

/**
 * Apple's limit of serials per assign-profile request.
 * @deprecated Use {@link MAX_SERIALS_PER_REQUEST} (the same limit, Apple's one for every serial-list request).
 */
export const MAX_ASSIGN_BATCH = MAX_SERIALS_PER_REQUEST;

/** Why a device has no profile when the token has no policy at all. @internal */
export const NO_POLICY_REASON =
  'no profile policy is set for this token: call setPolicy() with an OS default or a device-level profile';

/** One assign-profile call to make: `POST /profile/devices` with these serials. */
export interface AssignmentBatch {
  /** The profile to assign. */
  profileUuid: string;
  /** Normalised serial numbers (upper case, no whitespace), at most 1000, sorted. */
  serials: string[];
}

/** A device that no rule of the policy covers. */
export interface UnassignedDevice {
  /** The device's `serial_number` as given. */
  serial_number: string;
  /** Why no profile applies. */
  reason: string;
}

/** A device already on the profile it resolves to; no call is needed. */
export interface SkippedDevice {
  /** The device's `serial_number` as given. */
  serial_number: string;
  /** The profile it already has (the policy's spelling). */
  profileUuid: string;
}

/** The result of {@link planAssignments}. */
export interface AssignmentPlan {
  /** The assign-profile calls to make, sorted by profile UUID, then serial. */
  batches: AssignmentBatch[];
  /** Devices that stay Unassigned, with the reason, in input order. */
  unassigned: UnassignedDevice[];
  /** Devices already on their resolved profile (no call needed), in input order. */
  skipped: SkippedDevice[];
}

/** Options of {@link planAssignments}. */
export interface PlanAssignmentsOptions {
  /**
   * Serials per batch, 1 to 1000.
   * @default 1000
   */
  batchSize?: number;
}

/** What a policy decides for one device. @internal */
export interface DeviceTarget {
  /** The profile the device should have, or `null`. */
  profileUuid: string | null;
  /** Why it has none (`null` when it has one). */
  reason: string | null;
  /** Apple's record already shows that profile (and not as `removed`): no call is needed. */
  alreadyOn: boolean;
}

/**
 * The one per-device decision of {@link planAssignments} and the manager's sync engine: the
 * resolved profile (device > group > OS default; none without a policy) and whether Apple's
 * record already shows it. Pure.
 * @internal
 */
export function targetOf(
  device: ProfileDevice,
  compiled: CompiledProfilePolicy | null,
): DeviceTarget {
  if (compiled === null) return { profileUuid: null, reason: NO_POLICY_REASON, alreadyOn: false };
  const resolution = resolveCompiled(device, compiled);
  if (resolution.profileUuid === null) {
    return { profileUuid: null, reason: resolution.reason, alreadyOn: false };
  }
  const alreadyOn =
    device.profile_status !== 'removed' &&
    sameProfileUuid(device.profile_uuid, resolution.profileUuid);
  return { profileUuid: resolution.profileUuid, reason: null, alreadyOn };
}

/**
 * Splits serials grouped by profile into assign-profile calls of at most `batchSize` serials,
 * sorted by profile UUID, then serial (UTF-16 code-unit order, independent of locale). Sorts the
 * given lists in place.
 * @internal
 */
export function toBatches(
  byProfile: ReadonlyMap<string, string[]>,
  batchSize: number = MAX_SERIALS_PER_REQUEST,
): AssignmentBatch[] {
  const batches: AssignmentBatch[] = [];
  for (const profileUuid of [...byProfile.keys()].sort()) {
    const serials = (byProfile.get(profileUuid) as string[]).sort();
    for (let i = 0; i < serials.length; i += batchSize) {
      batches.push({ profileUuid, serials: serials.slice(i, i + batchSize) });
    }
  }
  return batches;
}

function checkBatchSize(batchSize: unknown): number {
  if (
    Number.isInteger(batchSize) &&
    (batchSize as number) >= 1 &&
    (batchSize as number) <= MAX_SERIALS_PER_REQUEST
  ) {
    return batchSize as number;
  }
  throw new InvalidArgumentError(
    `planAssignments: batchSize must be an integer from 1 to ${MAX_SERIALS_PER_REQUEST}, got ${String(batchSize)}`,
    {
      issues: [
        { path: ['batchSize'], message: `must be an integer from 1 to ${MAX_SERIALS_PER_REQUEST}` },
      ],
    },
  );
}

/**
 * The ADE assign-profile calls that bring `devices` in line with `policy`. Pure.
 *
 * Each device is resolved with {@link resolveProfile}. Devices whose current `profile_uuid`
 * already equals the resolved one (ignoring case and dashes; not when `profile_status` is
 * `removed`) are skipped, so a sync does not re-assign the same profile again and again. The rest
 * are grouped by profile UUID into batches of at most 1000 serials, in a deterministic order
 * (profile UUID, then serial). A serial listed twice is planned once (its first record wins).
 *
 * @param devices - ADE device records (at least `serial_number`, `os`, `device_family`, `profile_uuid`).
 * @param policy - a {@link ProfilePolicy} or a {@link CompiledProfilePolicy}.
 * @param options - see {@link PlanAssignmentsOptions}.
 * @throws {@link PolicyValidationError} when `policy` is malformed.
 * @throws {@link InvalidArgumentError} when `batchSize` is out of range.
 */
export function planAssignments(
  devices: Iterable<ProfileDevice>,
  policy: ProfilePolicy | CompiledProfilePolicy,
  options: PlanAssignmentsOptions = {},
): AssignmentPlan {
  const batchSize = checkBatchSize(options?.batchSize ?? MAX_SERIALS_PER_REQUEST);
  checkDevices('planAssignments', devices);
  const compiled = compilePolicy(policy);
  const byProfile = new Map<string, string[]>();
  const seen = new Set<string>();
  const unassigned: UnassignedDevice[] = [];
  const skipped: SkippedDevice[] = [];
  for (const device of devices) {
    const raw: unknown = device?.serial_number;
    const serial = typeof raw === 'string' ? normaliseSerial(raw) : '';
    if (serial !== '' && seen.has(serial)) continue;
    seen.add(serial);
    const target = targetOf(device, compiled);
    if (target.profileUuid === null) {
      unassigned.push({
        serial_number: typeof raw === 'string' ? raw : '',
        reason: target.reason as string,
      });
    } else if (target.alreadyOn) {
      skipped.push({ serial_number: raw as string, profileUuid: target.profileUuid });
    } else {
      const list = byProfile.get(target.profileUuid);
      if (list === undefined) byProfile.set(target.profileUuid, [serial]);
      else list.push(serial);
    }
  }
  return { batches: toBatches(byProfile, batchSize), unassigned, skipped };
}
