import type { PolicyRecord, SyncRunStart, TokenRecord } from '../storage/types.js';
import { catchUp } from './catch-up.js';
import { describeError, isStop } from './classify-error.js';
import type { ManagerContext } from './context.js';
import { blocksSync, statusForErrorCode, tokenStatus } from './health.js';
import { recordHealth } from './health-transition.js';
import type { KnownPolicies, KnownPolicy } from './known-policies.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { PlanPolicy } from './plan-devices.js';
import { beginRun, endRun, summarize } from './run-bracket.js';
import { buildReport, newCounts, newNotes, type RunNotes, type RunState } from './run-state.js';
import { RunTally } from './run-tally.js';
import { nextSyncHealth } from './sync-health.js';
import { prepareCursor, syncPages } from './sync-pages.js';
import { tokenWriter } from './token-writer.js';
import type { SyncReport, SyncSkipReason } from './types.js';

/** Options of one run. @internal */
export interface RunOptions {
  /** Aborts the run (manager stopping). */
  signal?: AbortSignal | undefined;
  /**
   * An explicit run (`syncNow`): probe a token in a bad state now instead of waiting for the
   * hourly probe, and run even if another replica synced the token moments ago.
   */
  probe?: boolean | undefined;
  /**
   * `token` is the one the last run ended with, not read now: the run answers
   * `'token-changed'` instead of starting when the stored token differs, and instead of
   * skipping it (health, credentials, recently synced), so that the caller reads it and runs that.
   */
  known?: boolean | undefined;
}

/**
 * One sync run of one token: health gate, lease, catch-up (policy change, pending assignments,
 * due retries), then Apple's pages, each committed atomically with its cursor. Never throws for
 * what happens during the run: the outcome is in the report (and the token's health).
 * @internal
 */
export async function runSync(
  ctx: ManagerContext,
  token: TokenRecord,
  options: RunOptions = {},
): Promise<SyncReport | 'token-changed'> {
  const tokenId = token.tokenId;
  // Timestamps come from the manager's clock (`ctx.now`); the duration from the monotonic one.
  const startedMs = performance.now();
  const startedAt = ctx.now().toISOString();
  const counts = newCounts();
  // A token not read now is read before it is skipped: an admin may have fixed it meanwhile.
  const skip = (skipped: SyncSkipReason, error?: { code: string; message: string }) =>
    options.known === true ? ('token-changed' as const) : skipReport(skipped, error);
  const skipReport = (skipped: SyncSkipReason, error?: { code: string; message: string }) =>
    buildReport({
      tokenId,
      runId: null,
      status: 'skipped',
      skipped,
      counts,
      totals: null,
      startedAt,
      startedMs,
      error: error ?? null,
    });

  if (options.signal?.aborted) return skipReport('stopped');
  const credentials = token.credentials;
  if (credentials === undefined) return skip('no-credentials');
  const expiredLocally = Date.parse(credentials.accessTokenExpiry) <= ctx.now().getTime();
  // Transitions (renew-soon, expired) are evaluated every cycle, whatever the sync does next.
  token = await recordHealth(
    ctx,
    token,
    expiredLocally ? { expired: true } : { evaluate: true },
    tokenWriter(ctx, token),
  ).catch(() => token);
  const status = tokenStatus(token, ctx.now(), ctx.config.renewWithinDays);
  if (blocksSync(status)) {
    const lastTry = token.lastSyncAt === undefined ? 0 : Date.parse(token.lastSyncAt);
    const probeDue = ctx.now().getTime() - lastTry >= ctx.config.unhealthyProbeIntervalMs;
    if (expiredLocally || !(options.probe === true || probeDue)) {
      return skip('unhealthy', { code: statusCode(status), message: `token is ${status}` });
    }
  }

  if (options.probe !== true && token.lastSyncAt !== undefined) {
    // Another replica ran this token moments ago: the schedule counts that as this cycle's run.
    const since = ctx.now().getTime() - Date.parse(token.lastSyncAt);
    if (since >= 0 && since < ctx.config.syncIntervalMs / 2) return skip('recently-synced');
  }

  // One step (one round trip on PostgreSQL and Redis): the lease, the run record, and what the
  // run reads first (cursor, policy, device counts, whether stored work waits). A replica that
  // finished this token since the token was read above is seen here, in the same step as the
  // lease: two replicas never both run a token in one cycle.
  const now = ctx.now();
  // The policy this manager compiled for the token: unless it changed, the start does not send
  // it again and the run does not compile it again.
  const knownPolicy = ctx.policies.get(tokenId);
  const start = await beginRun(ctx, {
    tokenId,
    owner: ctx.owner,
    ttlMs: ctx.config.leaseTtlMs,
    now: now.toISOString(),
    // Half an interval either side of now: a run another replica ends while this call waits
    // for the store is stamped after `now`.
    ...(options.probe === true
      ? {}
      : {
          skipIfSyncedWithin: {
            from: new Date(now.getTime() - ctx.config.syncIntervalMs / 2).toISOString(),
            to: new Date(now.getTime() + ctx.config.syncIntervalMs / 2).toISOString(),
          },
        }),
    ...(options.known === true
      ? {
          ifTokenUnchanged: {
            updatedAt: token.updatedAt,
            credentialsId: token.credentialsId ?? null,
          },
        }
      : {}),
    ...(knownPolicy === undefined
      ? {}
      : { knownPolicy: { revision: knownPolicy.revision, updatedAt: knownPolicy.updatedAt } }),
  });
  if (start === 'token-changed') return 'token-changed';
  if (start === null) return skipReport('lease-held');
  if (start === 'recently-synced') return skipReport('recently-synced');
  const lease = LeaseKeeper.hold(ctx, start.lease, options.signal);
  const runId: string = start.run.runId;
  let report: SyncReport | undefined;
  try {
    report = await ctx.telemetry.span('abmkit.sync', { 'abmkit.token_id': tokenId }, () =>
      execute(
        ctx,
        token,
        lease,
        { start, knownPolicy },
        counts,
        startedAt,
        startedMs,
        blocksSync(status),
      ),
    );
    return report;
  } catch (error) {
    // Failures outside the run's own handling: report them the same way.
    report = buildReport({
      tokenId,
      runId,
      status: isStop(error, lease) ? 'aborted' : 'failed',
      counts,
      totals: null,
      startedAt,
      startedMs,
      error: describeError(error),
    });
    return report;
  } finally {
    await lease.release();
    if (report !== undefined) {
      ctx.events.emit(report.status === 'completed' ? 'sync.completed' : 'sync.failed', {
        tokenId,
        report,
      });
      ctx.telemetry.count('sync_runs', 1, { status: report.status });
    }
  }
}

function liveDevices(counts: Record<string, number> | null): number | null {
  if (counts === null) return null;
  let live = 0;
  for (const [status, n] of Object.entries(counts)) if (status !== 'removed') live += n;
  return live === 0 ? null : live;
}

function statusCode(status: string): string {
  return status === 'expired'
    ? 'TOKEN_EXPIRED'
    : status === 'terms-not-signed'
      ? 'TERMS_NOT_SIGNED'
      : 'TOKEN_REJECTED';
}

async function execute(
  ctx: ManagerContext,
  token: TokenRecord,
  lease: LeaseKeeper,
  { start, knownPolicy }: { start: SyncRunStart; knownPolicy: KnownPolicy | undefined },
  counts: ReturnType<typeof newCounts>,
  startedAt: string,
  startedMs: number,
  probing: boolean,
): Promise<SyncReport> {
  const tokenId = token.tokenId;
  const runId = start.run.runId;
  let outcome: SyncReport['status'] = 'completed';
  let error: { code: string; message: string } | null = null;
  const notes: RunNotes = newNotes();
  // Every token write of this run is tied to the credentials it started with: after a renewal
  // or a deletion meanwhile, they are dropped instead of landing on the new token.
  const write = tokenWriter(ctx, token);
  let state: RunState | undefined;
  let account: Record<string, unknown> | undefined;
  try {
    // The start read the stored session (PostgreSQL, Redis): the client need not read it again.
    const api = ctx.api(token, start.session);
    if (probing || token.account === undefined) {
      // Stored with the run's end (one write less).
      account = (await api.getAccount({ signal: lease.signal })) as Record<string, unknown>;
      token = { ...token, account };
    }
    const startedEmpty = Object.values(start.devices).every((n) => n === 0);
    const run: RunState = {
      ctx,
      tokenId,
      lease,
      api,
      policy: await planPolicy(ctx, tokenId, start.policy, knownPolicy),
      // Read when the run first plans (a no-change run never does).
      retries: new Map(),
      retriesPending: start.pending.retries,
      counts,
      notes,
      seen: new Set(),
      expectedTotal: liveDevices(start.devices),
      startedEmpty,
      tally: startedEmpty ? new RunTally() : null,
      wroteDevices: false,
    };
    state = run;
    const cursor = await prepareCursor(run, start.cursor);
    ctx.events.emit('sync.started', { tokenId, runId, fullFetch: counts.fullFetch });
    ctx.logger.info(
      { event: 'sync.started', tokenId, fullFetch: counts.fullFetch },
      'abmkit: sync started',
    );
    await catchUp(run, start.pending);
    await syncPages(run, cursor);
    token = await recordHealth(ctx, token, { success: true }, write);
  } catch (caught) {
    outcome = isStop(caught, lease) ? 'aborted' : 'failed';
    if (isStop(caught, lease) && lease.signal.reason !== undefined && !lease.lost) {
      error = describeError(lease.signal.reason);
    } else {
      error = describeError(caught);
    }
    if (error.code === 'LEASE_LOST') lease.markLost(caught);
    const reported = statusForErrorCode(error.code);
    if (reported !== undefined) {
      token = await recordHealth(ctx, token, { reported, error }, write).catch(() => token);
    }
    ctx.logger.warn(
      { event: 'sync.failed', tokenId, err: caught },
      'abmkit: sync run did not complete',
    );
  }
  // A run that wrote no device record reports what its start read; a completed run that began
  // on a token without devices reports what it wrote (run-tally.ts); any other reads the counts
  // and the unresolved devices back in one step.
  const summary =
    state !== undefined && !state.wroteDevices && start.unresolved !== undefined
      ? { counts: { ...start.devices }, unresolved: start.unresolved }
      : outcome === 'completed' && state?.tally?.valid === true
        ? state.tally.summary()
        : await summarize(ctx, tokenId).catch(() => null);
  const totals = summary?.counts ?? null;
  if (outcome === 'completed') {
    const unresolved = summary?.unresolved;
    const first = unresolved?.first;
    if (unresolved != null && first != null) {
      notes.unresolved = {
        count: unresolved.count,
        serialNumber: first.serialNumber,
        reason: first.unassignedReason ?? 'no profile',
      };
    }
  }
  const report = buildReport({
    tokenId,
    runId,
    status: outcome,
    counts,
    totals,
    startedAt,
    startedMs,
    error,
    invalidRecords: notes.skipped,
  });
  const at = ctx.now().toISOString();
  const syncHealth = nextSyncHealth(token, report, notes, at);
  if (syncHealth !== undefined && totals !== null) syncHealth.devices = totals;
  // One step (one round trip on PostgreSQL and Redis): the token's sync outcome (written only
  // while the token keeps the credentials this run started with), the run record, the prune and
  // the lease release.
  lease.stopRenewing();
  const held = lease.held;
  await endRun(ctx, {
    tokenId,
    runId,
    result: {
      status: outcome,
      report: report as unknown as Record<string, unknown>,
      ...(error === null ? {} : { error }),
    },
    keep: ctx.config.keepSyncRuns,
    token: {
      patch: {
        ...(account === undefined ? {} : { account }),
        lastSyncAt: at,
        ...(syncHealth === undefined ? {} : { syncHealth }),
        ...(outcome === 'completed'
          ? { lastSuccessfulSyncAt: at, lastError: null }
          : error !== null && outcome === 'failed'
            ? { lastError: { ...error, at } }
            : {}),
      },
      expect: { credentialsId: token.credentialsId ?? null },
    },
    ...(held === undefined ? {} : { lease: held }),
    ...(state?.endCursor === undefined ? {} : { cursor: state.endCursor }),
  }).then(
    (end) => {
      if (end.released) lease.markReleased();
      // The next run starts from this token without reading it (unless it changes meanwhile).
      ctx.known.remember(tokenId, end.token);
      if (end.cursor === null) {
        ctx.logger.warn(
          { event: 'sync.cursor-not-stored', tokenId, runId },
          "abmkit: the sync's last cursor was not stored (the lease was lost or the cursor was reset meanwhile); the next run syncs from the stored cursor again",
        );
      }
    },
    (lost: unknown) => {
      ctx.known.forget(tokenId);
      ctx.logger.warn(
        { event: 'sync.write-lost', tokenId, runId, err: lost },
        'abmkit: could not store the end of the sync run (the token\'s lastSyncAt, sync health, last error and, on its first run, account details; the run record; pruning to keepSyncRuns): health shows the previous run and the history record stays "running" until a later run is stored',
      );
    },
  );
  ctx.logger.info(
    {
      event: `sync.${outcome}`,
      tokenId,
      pages: counts.pages,
      added: counts.added,
      assigned: counts.assigned,
    },
    `abmkit: sync ${outcome}`,
  );
  return report;
}

/** The policy a run plans with, from its start's answer (see {@link KnownPolicies.plan}). */
async function planPolicy(
  ctx: ManagerContext,
  tokenId: string,
  answer: PolicyRecord | null | 'unchanged',
  known: KnownPolicy | undefined,
): Promise<PlanPolicy> {
  return (
    ctx.policies.plan(tokenId, answer, known) ??
    // A store that answered 'unchanged' about a policy it was not asked about: read it.
    (ctx.policies.plan(tokenId, await ctx.storage.getPolicy(tokenId), undefined) as PlanPolicy)
  );
}
