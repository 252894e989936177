import { isAbmError, isTokenHealthError } from '../errors/index.js';
import { MAX_ASSIGN_BATCH } from '../profiles/plan-assignments.js';
import type {
  AssignmentResultInput,
  AssignmentRetryRecord,
  AssignmentStatus,
  DeviceRecord,
} from '../storage/types.js';
import { planDevices } from './plan-devices.js';
import type { RunState } from './run-state.js';

const DAY_MS = 86_400_000;

/** ±10 % jitter so that a mass failure does not come back as one wave. */
function jittered(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}

function retryAt(nowMs: number, delayMs: number): string {
  return new Date(nowMs + jittered(delayMs)).toISOString();
}

/**
 * Plans `records` against the run's policy, writes the plan fields, drops obsolete retries,
 * emits `device.unassigned`, and assigns what needs assigning. Returns nothing; counts go to the
 * run's report.
 * @internal
 */
export async function planAndAssign(
  run: RunState,
  records: readonly DeviceRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const { ctx, tokenId, lease } = run;
  const nowMs = Date.parse(await ctx.storage.now());
  const plan = planDevices(records, run.policy, run.retries, nowMs);
  if (plan.patches.length > 0) {
    await ctx.storage.updateDevices(tokenId, plan.patches, lease.fence);
  }
  if (plan.dropRetries.length > 0) {
    await ctx.storage.deleteRetries(tokenId, plan.dropRetries);
    for (const serial of plan.dropRetries) run.retries.delete(serial);
  }
  run.counts.unassigned += plan.unassigned.length;
  if (ctx.events.has('device.unassigned')) {
    for (const u of plan.unassigned) ctx.events.emit('device.unassigned', { tokenId, ...u });
  }
  for (const [profileUuid, serials] of plan.toAssign) {
    for (let i = 0; i < serials.length; i += MAX_ASSIGN_BATCH) {
      lease.signal.throwIfAborted();
      await assignBatch(run, profileUuid, serials.slice(i, i + MAX_ASSIGN_BATCH));
    }
  }
}

/** One assign-profile call of at most 1000 serials, its results recorded under the lease. */
async function assignBatch(run: RunState, profileUuid: string, serials: string[]): Promise<void> {
  const { ctx, tokenId, lease } = run;
  const { assignmentCooldownMs, throttleFallbackMs } = ctx.config;
  let statuses: Map<string, AssignmentStatus>;
  let retryAfterMs = throttleFallbackMs;
  let failure: unknown;
  try {
    const result = await run.api.assignProfile(profileUuid, serials, { signal: lease.signal });
    statuses = new Map();
    for (const serial of serials) statuses.set(serial, normalise(result.devices[serial]));
    const seconds = result.retry_after_seconds;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) {
      retryAfterMs = seconds * 1000;
    }
  } catch (error) {
    // Token health, abort and lease loss end the run; nothing was learnt about the serials.
    if (isTokenHealthError(error) || isAbmError(error, 'ABORTED') || lease.signal.aborted) {
      throw error;
    }
    failure = error;
    statuses = new Map(serials.map((s) => [s, 'FAILED' as const]));
  }
  const nowMs = Date.parse(await ctx.storage.now());
  const detail =
    failure === undefined
      ? undefined
      : `assign-profile request failed: ${isAbmError(failure) ? failure.code : 'error'}`;
  const results: AssignmentResultInput[] = [];
  const groups = new Map<AssignmentStatus, { serials: string[]; retryAt: string | null }>();
  for (const [serial, status] of statuses) {
    let next: string | undefined;
    if (status === 'FAILED') {
      const attempts = run.retries.get(serial)?.attempts ?? 0;
      next = retryAt(nowMs, Math.min(assignmentCooldownMs * 2 ** Math.min(attempts, 10), DAY_MS));
    } else if (status === 'THROTTLED') {
      next = retryAt(nowMs, retryAfterMs);
    }
    results.push({
      serialNumber: serial,
      profileUuid,
      status,
      nextAttemptAt: next,
      error: detail,
    });
    let group = groups.get(status);
    if (group === undefined) {
      group = { serials: [], retryAt: next ?? null };
      groups.set(status, group);
    }
    group.serials.push(serial);
  }
  await ctx.storage.recordAssignmentResults(tokenId, results, lease.fence);
  rememberRetries(run, results, new Date(nowMs).toISOString());
  count(run, groups);
  for (const [status, group] of groups) {
    const name =
      status === 'SUCCESS'
        ? 'profile.assigned'
        : status === 'THROTTLED'
          ? 'profile.throttled'
          : 'profile.failed';
    ctx.events.emit(name, { tokenId, profileUuid, status, ...group });
    ctx.telemetry.count('assignments', group.serials.length, { status });
  }
  if (failure !== undefined) {
    ctx.logger.warn(
      { tokenId, profileUuid, serials: serials.length, err: failure },
      'abmkit: assign-profile failed; the serials are retried after the cool-down',
    );
    throw failure;
  }
}

function normalise(status: string | undefined): AssignmentStatus {
  if (status === 'SUCCESS' || status === 'THROTTLED' || status === 'NOT_ACCESSIBLE') return status;
  return 'FAILED'; // FAILED, unknown strings, and serials Apple did not answer for
}

function count(run: RunState, groups: Map<AssignmentStatus, { serials: string[] }>): void {
  const c = run.counts;
  c.assigned += groups.get('SUCCESS')?.serials.length ?? 0;
  c.failed += groups.get('FAILED')?.serials.length ?? 0;
  c.throttled += groups.get('THROTTLED')?.serials.length ?? 0;
  c.notAccessible += groups.get('NOT_ACCESSIBLE')?.serials.length ?? 0;
}

/** Mirrors what the store did with the results into the run's retry map. */
function rememberRetries(run: RunState, results: AssignmentResultInput[], at: string): void {
  for (const r of results) {
    if (r.status === 'SUCCESS') {
      run.retries.delete(r.serialNumber);
      continue;
    }
    const prev = run.retries.get(r.serialNumber);
    const entry: AssignmentRetryRecord = {
      tokenId: run.tokenId,
      serialNumber: r.serialNumber,
      profileUuid: r.profileUuid,
      status: r.status,
      attempts: prev !== undefined && prev.status === r.status ? prev.attempts + 1 : 1,
      nextAttemptAt: r.status === 'NOT_ACCESSIBLE' ? null : (r.nextAttemptAt ?? null),
      lastError: r.error ?? null,
      updatedAt: at,
    };
    run.retries.set(r.serialNumber, entry);
  }
}
