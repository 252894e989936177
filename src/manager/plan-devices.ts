import type { CompiledProfilePolicy } from '../profiles/compile-policy.js';
import {
  type AssignmentBatch,
  type DeviceTarget,
  targetOf,
  toBatches,
} from '../profiles/plan-assignments.js';
import type { ProfilePolicy } from '../profiles/policy-types.js';
import { sameProfileUuid } from '../profiles/profile-uuid.js';
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
  /** The assign-profile calls to make (sorted by profile, then serial; at most 1000 serials each). */
  batches: AssignmentBatch[];
  /** Devices that newly have no profile, with the reason. */
  unassigned: { serialNumber: string; reason: string }[];
  /** Retry entries made obsolete (device removed, or its plan changed). */
  dropRetries: string[];
}

/**
 * The engine's side of the one planner ({@link targetOf} and {@link toBatches}, shared with the
 * public `planAssignments`): resolves each record's profile, records what changed, and picks the
 * devices to assign: resolved to a profile that differs from Apple's `profile_uuid` and from the
 * one abmkit already assigned, and not waiting in the retry queue (cool-down, throttling) or
 * known to be `NOT_ACCESSIBLE` for that profile. `targets` holds decisions already made for some
 * serials (the page pass decides once per device). Pure.
 * @internal
 */
export function planDevices(
  records: readonly DeviceRecord[],
  policy: PlanPolicy,
  retries: ReadonlyMap<string, AssignmentRetryRecord>,
  nowMs: number,
  targets?: ReadonlyMap<string, DeviceTarget>,
): DevicePlan {
  const plan: DevicePlan = { patches: [], batches: [], unassigned: [], dropRetries: [] };
  const toAssign = new Map<string, string[]>();
  for (const record of records) {
    const serial = record.serialNumber;
    const retry = retries.get(serial);
    if (record.removed) {
      if (retry !== undefined) plan.dropRetries.push(serial);
      continue;
    }
    const decided = targets?.get(serial) ?? targetOf(record.device, policy.compiled);
    const target = decided.profileUuid;
    // A profile Apple refused for good (it does not exist in ABM) keeps its reason on the record.
    const refused =
      target !== null &&
      retry !== undefined &&
      retry.nextAttemptAt === null &&
      typeof retry.lastError === 'string' &&
      sameProfileUuid(retry.profileUuid, target)
        ? retry.lastError
        : null;
    const reason = target === null ? decided.reason : refused;
    if (
      record.resolvedProfileUuid !== target ||
      record.unassignedReason !== reason ||
      record.planRevision !== policy.revision
    ) {
      plan.patches.push({
        serialNumber: serial,
        resolvedProfileUuid: target,
        unassignedReason: reason,
        planRevision: policy.revision,
      });
    }
    if (target === null) {
      if (reason !== null && (record.unassignedReason !== reason || record.planRevision === null)) {
        plan.unassigned.push({ serialNumber: serial, reason });
      }
      if (retry !== undefined) plan.dropRetries.push(serial);
      continue;
    }
    if (decided.alreadyOn) {
      if (retry !== undefined) plan.dropRetries.push(serial);
      continue;
    }
    if (sameProfileUuid(record.assignedProfileUuid, target)) continue;
    if (retry !== undefined) {
      if (sameProfileUuid(retry.profileUuid, target)) {
        if (retry.nextAttemptAt === null) continue; // NOT_ACCESSIBLE: reported, never retried
        if (Date.parse(retry.nextAttemptAt) > nowMs) continue; // cooling down
      } else {
        plan.dropRetries.push(serial);
      }
    }
    const list = toAssign.get(target);
    if (list === undefined) toAssign.set(target, [serial]);
    else list.push(serial);
  }
  plan.batches = toBatches(toAssign);
  return plan;
}
