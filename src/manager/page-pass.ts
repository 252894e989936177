import { collapsePage, upsertDevice } from '../domain/devices.js';
import { type DeviceTarget, targetOf } from '../profiles/plan-assignments.js';
import type { AdeDevice } from '../schemas/device.js';
import type { DeviceRecord, PagePlanEntry } from '../storage/types.js';
import { type Assigned, assignPlan, settleAssigned, toPagePlans } from './assign-devices.js';
import type { SyncApiPage } from './client-port.js';
import { planDevices } from './plan-devices.js';
import { ensureRetries } from './run-retries.js';
import type { RunState } from './run-state.js';

/** Where the page loop stands (shared with `syncPages`). @internal */
export interface Position {
  /** The cursor stored now (the CAS's expected value). */
  cursor: string | null;
  /** Whether a full fetch is in progress. */
  fullFetch: boolean;
  /**
   * The full fetch's id, stamped on the cursor and every device it delivers so that its end can
   * mark the devices it missed; `null` for none, or for a full fetch that began on a token with
   * no device (nothing to mark).
   */
  fullFetchId: string | null;
}

/** A page planned and assigned, waiting to be written. @internal */
export interface PreparedPage {
  /** The page's devices, one entry per serial (`collapsePage`). */
  devices: AdeDevice[];
  /** Plans of the devices Apple already shows on their profile: nothing to do but record them. */
  quiet: PagePlanEntry[];
  /** The plans and assignments of the other devices. */
  assigned: Assigned;
}

/**
 * Steps 1 and 2 of a page, before it is applied: plan, then assign. Reads only the stored
 * records of the page's own serials, so it may run while the previous page (with other serials)
 * is being written.
 *
 * 1. Plan. Each device of the collapsed page is decided once ({@link targetOf}). Deletions are
 *    not planned (their retries go after the apply). A device whose Apple record already shows
 *    the profile the policy resolves, with no retry-queue entry, is *quiet*: its plan goes with
 *    the page without a read. For the others the stored records are read (none during a first
 *    full fetch) and merged with the page's entries as `applyPage` will (`op_date` rule included:
 *    entries the store will skip are not planned), then planned with the decisions already made.
 * 2. Assign: the plan's obsolete retries are dropped and its assign-profile calls sent.
 *    `halted` throws when the previous page's write failed meanwhile (send no more).
 * @internal
 */
export async function preparePage(
  run: RunState,
  page: SyncApiPage,
  halted: () => void,
): Promise<PreparedPage> {
  const { ctx, tokenId, policy } = run;
  if (page.devices.length > 0) await ensureRetries(run);
  const quiet: PagePlanEntry[] = [];
  const targets = new Map<string, DeviceTarget>();
  const toRead: AdeDevice[] = [];
  const devices = collapsePage(page.devices);
  for (const device of devices) {
    if (device.op_type === 'deleted') continue;
    const serial = device.serial_number;
    const target = targetOf(device, policy.compiled);
    if (target.alreadyOn && !run.retries.has(serial)) {
      quiet.push({
        serialNumber: serial,
        resolvedProfileUuid: target.profileUuid,
        unassignedReason: null,
        planRevision: policy.revision,
      });
      continue;
    }
    targets.set(serial, target);
    toRead.push(device);
  }
  const records: DeviceRecord[] = [];
  if (toRead.length > 0) {
    const stored = new Map<string, DeviceRecord>();
    // A token that started empty holds only what this run applied: a first sync reads nothing.
    const known = run.startedEmpty ? toRead.filter((d) => run.seen.has(d.serial_number)) : toRead;
    const read =
      known.length === 0
        ? []
        : await ctx.storage.getDevices(
            tokenId,
            known.map((d) => d.serial_number),
          );
    for (const r of read) stored.set(r.serialNumber, r);
    const merge = { tokenId, nowIso: '', fullFetchId: undefined };
    for (const device of toRead) {
      const { next } = upsertDevice(stored.get(device.serial_number), device, merge);
      if (next !== null) records.push(next);
    }
  }
  const plan = planDevices(records, policy, run.retries, ctx.now().getTime(), targets);
  halted();
  const assigned = await assignPlan(run, plan, halted);
  if (assigned.failure !== undefined && run.lease.lost) throw assigned.failure;
  return { devices, quiet, assigned };
}

/**
 * Step 3 of a page: writes it. The page, its cursor, the plans and the successful assignments
 * in one atomic `applyPage` (one write per device), then the retries of removed devices, the
 * other assignment results, and events. A crash before the apply leaves the cursor where it
 * was: the page is fetched again and its assignments repeated (idempotent; Apple's record then
 * already shows them). The caller completes a full fetch whose last page this was.
 * @internal
 */
export async function writePage(
  run: RunState,
  pos: Position,
  page: SyncApiPage,
  { devices, quiet, assigned }: PreparedPage,
): Promise<void> {
  const { ctx, tokenId, lease } = run;
  const fetching = page.phase === 'fetch';
  const completes = fetching && !page.moreToFollow && pos.fullFetch;
  const plans = [...quiet, ...toPagePlans(run, assigned)];
  if (page.devices.length > 0 || plans.length > 0) run.wroteDevices = true;
  const result = await ctx.storage.applyPage({
    ...lease.fence,
    expectedCursor: pos.cursor,
    nextCursor: page.cursor ?? pos.cursor,
    phase: fetching && !completes ? 'full' : 'sync',
    devices: page.devices,
    fullFetchId: fetching ? pos.fullFetchId : undefined,
    lastFullFetchAt: completes ? ctx.now().toISOString() : undefined,
    fetchedUntil: page.fetchedUntil ?? null,
    plans,
  });
  run.tally?.page(devices, plans, result);
  pos.cursor = result.cursor.cursor;
  const c = run.counts;
  c.pages += 1;
  c.devicesSeen += page.devices.length;
  c.added += result.added.length;
  c.modified += result.modified.length;
  c.removed += result.removed.length;
  c.phase = result.cursor.phase;
  emitDevices(run, page.devices, result);
  if (result.removed.length > 0) {
    await ctx.storage.deleteRetries(tokenId, result.removed);
    for (const serial of result.removed) run.retries.delete(serial);
  }
  await settleAssigned(run, assigned);
  for (const d of page.devices) run.seen.add(d.serial_number);
  emitProgress(run, page);
}

/** `sync.progress` after a page was counted. */
function emitProgress(run: RunState, page: SyncApiPage): void {
  const c = run.counts;
  const fetching = page.phase === 'fetch';
  run.ctx.events.emit('sync.progress', {
    tokenId: run.tokenId,
    pages: c.pages,
    devices: run.seen.size,
    records: c.devicesSeen,
    expectedTotal: fetching ? run.expectedTotal : null,
    moreToFollow: page.moreToFollow,
    phase: fetching ? 'full' : 'sync',
  });
}

/**
 * The last page of a sync that holds no device (the caller checks that), when the store writes
 * cursors with the run's end: counted like a written page, its cursor kept for `endSyncRun`
 * (`run.endCursor`). Returns whether it was kept (otherwise the caller writes the page).
 * @internal
 */
export function deferEmptyLastPage(run: RunState, pos: Position, page: SyncApiPage): boolean {
  const storage = run.ctx.storage;
  const endWritesCursor =
    typeof storage.endSyncRun !== 'function' || storage.capabilities?.endSyncRunCursor === true;
  if (!endWritesCursor || pos.fullFetch) return false;
  run.endCursor = {
    expectedCursor: pos.cursor,
    nextCursor: page.cursor ?? pos.cursor,
    phase: 'sync',
    fetchedUntil: page.fetchedUntil ?? null,
  };
  run.counts.pages += 1;
  run.counts.phase = 'sync';
  emitProgress(run, page);
  return true;
}

/**
 * Records the assignment results of a page that will not be written (the previous page's write
 * failed after this page's assignments went out), so that the next run honours what Apple
 * answered (throttling, failures).
 * @internal
 */
export async function keepResults(run: RunState, { assigned }: PreparedPage): Promise<void> {
  if (run.lease.lost || assigned.others.length === 0) return;
  run.tally?.results(assigned.others);
  await run.ctx.storage.recordAssignmentResults(run.tokenId, assigned.others, run.lease.fence);
}

function emitDevices(
  run: RunState,
  devices: readonly AdeDevice[],
  result: { added: string[]; modified: string[]; removed: string[] },
): void {
  const { events } = run.ctx;
  const wanted =
    events.has('device.added') || events.has('device.modified') || events.has('device.removed');
  if (!wanted) return;
  const bySerial = new Map<string, AdeDevice>();
  for (const d of devices) bySerial.set(d.serial_number, d);
  const tokenId = run.tokenId;
  for (const [name, serials] of [
    ['device.added', result.added],
    ['device.modified', result.modified],
    ['device.removed', result.removed],
  ] as const) {
    for (const serialNumber of serials) {
      events.emit(name, { tokenId, serialNumber, device: bySerial.get(serialNumber) ?? null });
    }
  }
}
