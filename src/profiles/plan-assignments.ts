import { InvalidArgumentError } from '../errors/index.js';
import { type CompiledProfilePolicy, compilePolicy } from './compile-policy.js';
import type { ProfileDevice, ProfilePolicy } from './policy-types.js';
import { checkDevices, resolveCompiled } from './resolve-profile.js';
import { normalizeSerial } from './serial.js';

/** Apple's limit of serials per assign-profile request. */
export const MAX_ASSIGN_BATCH = 1000;

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

/** Compare profile UUIDs the way Apple does not care about: case and dashes. */
function canonicalUuid(uuid: string): string {
  return uuid.replace(/-/g, '').toUpperCase();
}

function alreadyOn(device: ProfileDevice, profileUuid: string): boolean {
  const current = device.profile_uuid;
  if (typeof current !== 'string' || device.profile_status === 'removed') return false;
  return current === profileUuid || canonicalUuid(current) === canonicalUuid(profileUuid);
}

function checkBatchSize(batchSize: unknown): number {
  if (
    Number.isInteger(batchSize) &&
    (batchSize as number) >= 1 &&
    (batchSize as number) <= MAX_ASSIGN_BATCH
  ) {
    return batchSize as number;
  }
  throw new InvalidArgumentError(
    `planAssignments: batchSize must be an integer from 1 to ${MAX_ASSIGN_BATCH}, got ${String(batchSize)}`,
    {
      issues: [
        { path: ['batchSize'], message: `must be an integer from 1 to ${MAX_ASSIGN_BATCH}` },
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
  const batchSize = checkBatchSize(options?.batchSize ?? MAX_ASSIGN_BATCH);
  checkDevices('planAssignments', devices);
  const compiled = compilePolicy(policy);
  const byProfile = new Map<string, string[]>();
  const seen = new Set<string>();
  const unassigned: UnassignedDevice[] = [];
  const skipped: SkippedDevice[] = [];
  for (const device of devices) {
    const raw: unknown = device?.serial_number;
    const serial = typeof raw === 'string' ? normalizeSerial(raw) : '';
    if (serial !== '' && seen.has(serial)) continue;
    seen.add(serial);
    const result = resolveCompiled(device, compiled);
    if (result.profileUuid === null) {
      unassigned.push({ serial_number: typeof raw === 'string' ? raw : '', reason: result.reason });
    } else if (alreadyOn(device, result.profileUuid)) {
      skipped.push({ serial_number: raw as string, profileUuid: result.profileUuid });
    } else {
      const list = byProfile.get(result.profileUuid);
      if (list === undefined) byProfile.set(result.profileUuid, [serial]);
      else list.push(serial);
    }
  }
  const batches: AssignmentBatch[] = [];
  // Default sort: UTF-16 code-unit order, independent of locale.
  for (const profileUuid of [...byProfile.keys()].sort()) {
    const serials = byProfile.get(profileUuid)!.sort();
    for (let i = 0; i < serials.length; i += batchSize) {
      batches.push({ profileUuid, serials: serials.slice(i, i + batchSize) });
    }
  }
  return { batches, unassigned, skipped };
}
