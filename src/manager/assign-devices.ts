import type {
  AssignmentResultInput,
  DevicePatch,
  DeviceRecord,
  PagePlanEntry,
} from '../storage/types.js';
import { assignBatch, type BatchOutcome, reportOutcome } from './assign-batch.js';
import { type DevicePlan, planDevices } from './plan-devices.js';
import { ensureRetries } from './run-retries.js';
import type { RunState } from './run-state.js';

/** Assignments made for a set of records, not yet written to storage. @internal */
export interface Assigned {
  /** Plan-field writes and successful assignments (of serials without a retry entry), by serial. */
  patches: Map<string, DevicePatch>;
  /** Every other result (failures, throttling, successes that clear a retry entry). */
  others: AssignmentResultInput[];
  /** The assign-profile calls made, for the report and events once written. */
  outcomes: BatchOutcome[];
  /** Devices that newly have no profile, with the reason. */
  unassigned: { serialNumber: string; reason: string }[];
  /** An error that ended the assignments early (rethrown by {@link settleAssigned}). */
  failure: unknown;
}

/**
 * Acts on a plan without writing it: drops the retries it made obsolete, then sends its
 * assign-profile calls. The caller writes `patches` (with the page in `applyPage`, or through
 * `updateDevices`), then calls {@link settleAssigned}; a crash before the writes only means an
 * idempotent re-assign on the next run. `halted` is called before each assign-profile call and
 * throws when the run must send no more (a page write failed meanwhile).
 * @internal
 */
export async function assignPlan(
  run: RunState,
  plan: DevicePlan,
  halted?: () => void,
): Promise<Assigned> {
  const { ctx, tokenId, lease } = run;
  if (plan.dropRetries.length > 0) {
    await ctx.storage.deleteRetries(tokenId, plan.dropRetries);
    for (const serial of plan.dropRetries) run.retries.delete(serial);
  }
  const patches = new Map<string, DevicePatch>();
  for (const patch of plan.patches) patches.set(patch.serialNumber, patch);
  const out: Assigned = {
    patches,
    others: [],
    outcomes: [],
    unassigned: plan.unassigned,
    failure: undefined,
  };
  try {
    for (const { profileUuid, serials } of plan.batches) {
      lease.signal.throwIfAborted();
      halted?.();
      const outcome = await assignBatch(run, profileUuid, serials);
      out.outcomes.push(outcome);
      for (const r of outcome.results) {
        if (outcome.permanent !== undefined) {
          // The profile does not exist in ABM: the device reads Unassigned with the reason.
          const patch = patches.get(r.serialNumber) ?? { serialNumber: r.serialNumber };
          patch.resolvedProfileUuid = profileUuid;
          patch.unassignedReason = outcome.permanent;
          patch.planRevision = run.policy.revision;
          patches.set(r.serialNumber, patch);
          out.unassigned.push({ serialNumber: r.serialNumber, reason: outcome.permanent });
        }
        if (r.status === 'SUCCESS' && !run.retries.has(r.serialNumber)) {
          const patch = patches.get(r.serialNumber) ?? { serialNumber: r.serialNumber };
          patch.assignedProfileUuid = r.profileUuid;
          patch.assignedAt = outcome.at;
          patches.set(r.serialNumber, patch);
        } else {
          out.others.push(r);
        }
      }
    }
  } catch (error) {
    out.failure = error;
  }
  return out;
}

/**
 * The patches of {@link Assigned} as page plans for `applyPage`. A patch carrying only a
 * successful assignment gets the plan that led to it (the assigned profile, current revision).
 * @internal
 */
export function toPagePlans(run: RunState, assigned: Assigned): PagePlanEntry[] {
  const out: PagePlanEntry[] = [];
  for (const p of assigned.patches.values()) {
    const hasPlan = p.planRevision !== undefined && p.planRevision !== null;
    const entry: PagePlanEntry = {
      serialNumber: p.serialNumber,
      resolvedProfileUuid: hasPlan
        ? (p.resolvedProfileUuid ?? null)
        : (p.assignedProfileUuid ?? null),
      unassignedReason: hasPlan ? (p.unassignedReason ?? null) : null,
      planRevision: hasPlan ? (p.planRevision as number) : run.policy.revision,
    };
    if (typeof p.assignedProfileUuid === 'string' && typeof p.assignedAt === 'string') {
      entry.assignedProfileUuid = p.assignedProfileUuid;
      entry.assignedAt = p.assignedAt;
    }
    out.push(entry);
  }
  return out;
}

/**
 * After the patches were written: records the other results (retry queue), then counters,
 * events and metrics; rethrows what ended the assignments early.
 * @internal
 */
export async function settleAssigned(run: RunState, assigned: Assigned): Promise<void> {
  const { ctx, tokenId, lease } = run;
  if (!lease.lost && assigned.others.length > 0) {
    run.tally?.results(assigned.others);
    await ctx.storage.recordAssignmentResults(tokenId, assigned.others, lease.fence);
  }
  run.counts.unassigned += assigned.unassigned.length;
  if (ctx.events.has('device.unassigned')) {
    for (const u of assigned.unassigned) ctx.events.emit('device.unassigned', { tokenId, ...u });
  }
  for (const outcome of assigned.outcomes) reportOutcome(run, outcome);
  if (assigned.failure !== undefined) throw assigned.failure;
}

/**
 * Plans and assigns stored `records` (the catch-up: policy change, pending assignments, due
 * retries) and writes the plan fields and results with `updateDevices`/`recordAssignmentResults`.
 * @internal
 */
export async function planAndAssign(
  run: RunState,
  records: readonly DeviceRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const { ctx, tokenId, lease } = run;
  await ensureRetries(run);
  const plan = planDevices(records, run.policy, run.retries, ctx.now().getTime());
  const assigned = await assignPlan(run, plan);
  if (!lease.lost && assigned.patches.size > 0) {
    run.tally?.invalidate();
    await ctx.storage.updateDevices(tokenId, [...assigned.patches.values()], lease.fence);
  }
  await settleAssigned(run, assigned);
}
