import type { CompiledProfilePolicy } from '../profiles/compile-policy.js';
import type { ProfilePolicy } from '../profiles/policy-types.js';
import { resolveProfile } from '../profiles/resolve-profile.js';
import type { AssignmentRetryRecord, DevicePatch, DeviceRecord } from '../storage/types.js';

/** The policy a run plans with. @internal */
export interface PlanPolicy {
  /** The compiled policy, or `null` when the token has none. */
  compiled: CompiledProfilePolicy | null;
  /** Its revision (0 without a policy). */
  revision: number;
  /** The policy as stored (canonical profile UUIDs), to name the entries of a problem. */
  source?: ProfilePolicy | null | undefined;
}

/** What planning a set of device records decided. @internal */
export interface DevicePlan {
  /** Writes of the plan fields (only for records that change). */
  patches: DevicePatch[];
  /** Serials to assign, per profile UUID. */
  toAssign: Map<string, string[]>;
  /** Devices that newly have no profile, with the reason. */
  unassigned: { serialNumber: string; reason: string }[];
  /** Retry entries made obsolete (device removed, or its plan changed). */
  dropRetries: string[];
}

/** Why a device has no profile when the token has no policy at all. */
export const NO_POLICY_REASON =
  'no profile policy is set for this token: call setPolicy() with an OS default or a device-level profile';

/** Compares profile UUIDs the way Apple does: ignoring case and dashes. @internal */
export function sameProfile(a: string | null | undefined, b: string | null | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return a === b || a.replace(/-/g, '').toUpperCase() === b.replace(/-/g, '').toUpperCase();
}

/**
 * Resolves each record's profile (device > group > OS default), records what changed, and picks
 * the devices to assign: resolved to a profile that differs from Apple's `profile_uuid` and from
 * the one abmkit already assigned, and not waiting in the retry queue (cool-down, throttling) or
 * known to be `NOT_ACCESSIBLE` for that profile. Pure.
 * @internal
 */
export function planDevices(
  records: readonly DeviceRecord[],
  policy: PlanPolicy,
  retries: ReadonlyMap<string, AssignmentRetryRecord>,
  nowMs: number,
): DevicePlan {
  const plan: DevicePlan = { patches: [], toAssign: new Map(), unassigned: [], dropRetries: [] };
  for (const record of records) {
    const serial = record.serialNumber;
    const retry = retries.get(serial);
    if (record.removed) {
      if (retry !== undefined) plan.dropRetries.push(serial);
      continue;
    }
    const resolution =
      policy.compiled === null
        ? ({ profileUuid: null, reason: NO_POLICY_REASON } as const)
        : resolveProfile(record.device, policy.compiled);
    // A profile Apple refused for good (it does not exist in ABM) keeps its reason on the record.
    const refused =
      resolution.profileUuid !== null &&
      retry !== undefined &&
      retry.nextAttemptAt === null &&
      typeof retry.lastError === 'string' &&
      sameProfile(retry.profileUuid, resolution.profileUuid)
        ? retry.lastError
        : null;
    const reason = resolution.profileUuid === null ? resolution.reason : refused;
    if (
      record.resolvedProfileUuid !== resolution.profileUuid ||
      record.unassignedReason !== reason ||
      record.planRevision !== policy.revision
    ) {
      plan.patches.push({
        serialNumber: serial,
        resolvedProfileUuid: resolution.profileUuid,
        unassignedReason: reason,
        planRevision: policy.revision,
      });
    }
    const target = resolution.profileUuid;
    if (target === null) {
      if (reason !== null && (record.unassignedReason !== reason || record.planRevision === null)) {
        plan.unassigned.push({ serialNumber: serial, reason });
      }
      if (retry !== undefined) plan.dropRetries.push(serial);
      continue;
    }
    const device = record.device;
    if (device.profile_status !== 'removed' && sameProfile(device.profile_uuid, target)) {
      if (retry !== undefined) plan.dropRetries.push(serial);
      continue;
    }
    if (sameProfile(record.assignedProfileUuid, target)) continue;
    if (retry !== undefined) {
      if (sameProfile(retry.profileUuid, target)) {
        if (retry.nextAttemptAt === null) continue; // NOT_ACCESSIBLE: reported, never retried
        if (Date.parse(retry.nextAttemptAt) > nowMs) continue; // cooling down
      } else {
        plan.dropRetries.push(serial);
      }
    }
    const list = plan.toAssign.get(target);
    if (list === undefined) plan.toAssign.set(target, [serial]);
    else list.push(serial);
  }
  return plan;
}
