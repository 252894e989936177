import { isAbmError, isTokenHealthError } from '../errors/index.js';
import type {
  AssignmentResultInput,
  AssignmentRetryRecord,
  AssignmentStatus,
} from '../storage/types.js';
import { policyEntriesFor } from './canonical-policy.js';
import type { RunState } from './run-state.js';

const DAY_MS = 86_400_000;
/** The longest `retry_after_seconds` honoured (7 days); a larger value waits this long. */
const MAX_RETRY_AFTER_MS = 7 * DAY_MS;

/** ±10 % jitter so that a mass failure does not come back as one wave. */
function jittered(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}

function retryAt(nowMs: number, delayMs: number): string {
  return new Date(nowMs + jittered(delayMs)).toISOString();
}

/** What one assign-profile call produced (not yet written). @internal */
export interface BatchOutcome {
  profileUuid: string;
  results: AssignmentResultInput[];
  at: string;
  groups: Map<AssignmentStatus, { serials: string[]; retryAt: string | null }>;
  failure: unknown;
  /** Why no serial can ever get this profile (it does not exist in ABM), if so. */
  permanent?: string | undefined;
}

/** Whether Apple answered that the profile does not exist (deleted, or of another server). */
function isProfileNotFound(error: unknown): boolean {
  return (
    isAbmError(error, 'NOT_FOUND') &&
    (error as { appleCode?: unknown }).appleCode === 'PROFILE_NOT_FOUND'
  );
}

/** The reason a device cannot get `profileUuid`, naming the policy entries that use it. */
function missingProfileReason(run: RunState, profileUuid: string): string {
  const entries = policyEntriesFor(run.policy.source ?? null, profileUuid);
  const where = entries.length === 0 ? '' : ` (policy ${entries.join(', ')})`;
  return `profile ${profileUuid} not found in ABM${where}: define the profile for this MDM server or correct the policy with setPolicy()`;
}

/**
 * One assign-profile call (at most `MAX_SERIALS_PER_REQUEST` serials, as the planner batches
 * them), mapped to per-serial results with their retry times from the manager's clock.
 * @internal
 */
export async function assignBatch(
  run: RunState,
  profileUuid: string,
  serials: string[],
): Promise<BatchOutcome> {
  const { ctx, lease } = run;
  const { assignmentCooldownMs, throttleFallbackMs } = ctx.config;
  let statuses: Map<string, AssignmentStatus>;
  let retryAfterMs = throttleFallbackMs;
  let failure: unknown;
  let permanent: string | undefined;
  try {
    const result = await run.api.assignProfile(profileUuid, serials, { signal: lease.signal });
    statuses = new Map();
    for (const serial of serials) statuses.set(serial, normalise(result.devices[serial]));
    const seconds = result.retry_after_seconds;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) {
      // Clamped: 1e13 s would be an invalid Date and lose the whole batch's results.
      retryAfterMs = Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
    }
  } catch (error) {
    // Token health, abort and lease loss end the run; nothing was learnt about the serials.
    if (isTokenHealthError(error) || isAbmError(error, 'ABORTED') || lease.signal.aborted) {
      throw error;
    }
    if (isProfileNotFound(error)) {
      // Permanent: retrying cannot help until the policy changes (which drops these entries).
      permanent = missingProfileReason(run, profileUuid);
      run.notes.missingProfiles.set(profileUuid, permanent);
      statuses = new Map(serials.map((s) => [s, 'NOT_ACCESSIBLE' as const]));
      ctx.logger.warn(
        { tokenId: run.tokenId, profileUuid, serials: serials.length },
        `abmkit: ${permanent}`,
      );
    } else {
      failure = error;
      statuses = new Map(serials.map((s) => [s, 'FAILED' as const]));
    }
    if (failure !== undefined)
      ctx.logger.warn(
        { tokenId: run.tokenId, profileUuid, serials: serials.length, err: error },
        'abmkit: assign-profile failed; the serials are retried after the cool-down',
      );
  }
  const nowMs = ctx.now().getTime();
  const detail =
    permanent ??
    (failure === undefined
      ? undefined
      : `assign-profile request failed: ${isAbmError(failure) ? failure.code : 'error'}`);
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
      at: new Date(nowMs).toISOString(),
    });
    let group = groups.get(status);
    if (group === undefined) {
      group = { serials: [], retryAt: next ?? null };
      groups.set(status, group);
    }
    group.serials.push(serial);
  }
  return { profileUuid, results, at: new Date(nowMs).toISOString(), groups, failure, permanent };
}

/** After the results are stored: counters, the retry map, events and metrics. @internal */
export function reportOutcome(run: RunState, outcome: BatchOutcome): void {
  const { ctx, tokenId } = run;
  rememberRetries(run, outcome.results, outcome.at);
  const c = run.counts;
  for (const [status, group] of outcome.groups) {
    const n = group.serials.length;
    if (status === 'SUCCESS') c.assigned += n;
    else if (status === 'FAILED') c.failed += n;
    else if (status === 'THROTTLED') c.throttled += n;
    else c.notAccessible += n;
    const name =
      status === 'SUCCESS'
        ? 'profile.assigned'
        : status === 'THROTTLED'
          ? 'profile.throttled'
          : 'profile.failed';
    ctx.events.emit(name, { tokenId, profileUuid: outcome.profileUuid, status, ...group });
    ctx.telemetry.count('assignments', n, { status });
  }
}

function normalise(status: string | undefined): AssignmentStatus {
  if (status === 'SUCCESS' || status === 'THROTTLED' || status === 'NOT_ACCESSIBLE') return status;
  return 'FAILED'; // FAILED, unknown strings, and serials Apple did not answer for
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
