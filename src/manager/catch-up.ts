import type {
  AssignmentRetryRecord,
  DeviceQuery,
  DeviceRecord,
  SyncRunStart,
} from '../storage/types.js';
import { planAndAssign } from './assign-devices.js';
import type { RunState } from './run-state.js';

/** Records read per storage listing (not Apple's limit: assignments are batched by the planner). */
const LIST_PAGE = 1000;
/** Guard against a listing that never drains (e.g. an adapter that cannot update a record). */
const MAX_PASSES = 10_000;

/**
 * Work a run does before it reads Apple's changes, all from storage and without a re-fetch:
 * re-plan devices planned for an older policy revision (a policy change), assign devices whose
 * plan was written but not acted on (a crash between page apply and assignment), and retry
 * queue entries whose cool-down or throttling delay has passed. `pending` (read when the run
 * began) says which of them have anything to do: the others are not listed at all.
 * @internal
 */
export async function catchUp(run: RunState, pending: SyncRunStart['pending']): Promise<void> {
  if (pending.replan || pending.assign || pending.dueRetries) run.wroteDevices = true;
  if (pending.replan) await drain(run, { planRevisionNot: run.policy.revision });
  // A re-plan can leave devices pending assignment that were not before.
  if (pending.assign || pending.replan) await drain(run, { pendingAssignment: true });
  // Assignments made just now may have queued retries that are already due.
  if (pending.dueRetries || pending.replan || pending.assign) await retryDue(run);
}

/** Plans and assigns every device of a listing, page by page. */
async function drain(run: RunState, query: DeviceQuery): Promise<void> {
  const { ctx, tokenId, lease } = run;
  let cursor: string | undefined;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    lease.signal.throwIfAborted();
    const page = await ctx.storage.listDevices(tokenId, { ...query, limit: LIST_PAGE, cursor });
    await planAndAssign(run, page.items);
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

/** Retries due entries of the retry queue (each is re-planned first: the policy may have moved on). */
async function retryDue(run: RunState): Promise<void> {
  const { ctx, tokenId, lease } = run;
  const seen = new Set<string>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    lease.signal.throwIfAborted();
    const page = await ctx.storage.listDueRetries(tokenId, {
      limit: LIST_PAGE,
      now: ctx.now().toISOString(),
    });
    const fresh = page.items.filter((r: AssignmentRetryRecord) => !seen.has(r.serialNumber));
    if (fresh.length === 0) return;
    for (const r of fresh) seen.add(r.serialNumber);
    const records: DeviceRecord[] = await ctx.storage.getDevices(
      tokenId,
      fresh.map((r) => r.serialNumber),
    );
    const known = new Set(records.map((r) => r.serialNumber));
    const orphans = fresh.filter((r) => !known.has(r.serialNumber)).map((r) => r.serialNumber);
    if (orphans.length > 0) {
      await ctx.storage.deleteRetries(tokenId, orphans);
      for (const serial of orphans) run.retries.delete(serial);
    }
    await planAndAssign(run, records);
    if (page.nextCursor === null && fresh.length === page.items.length) {
      // Everything due was handled; entries rescheduled into the future are no longer due.
      const again = await ctx.storage.listDueRetries(tokenId, {
        limit: 1,
        now: ctx.now().toISOString(),
      });
      if (again.items.every((r) => seen.has(r.serialNumber))) return;
    }
  }
}
