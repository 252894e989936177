import { randomUUID } from 'node:crypto';
import { isAbmError } from '../errors/index.js';
import type { CursorRecord } from '../storage/types.js';
import type { SyncApiPage } from './client-port.js';
import { guardPage } from './page-guard.js';
import {
  deferEmptyLastPage,
  keepResults,
  type Position,
  preparePage,
  writePage,
} from './page-pass.js';
import type { RunState } from './run-state.js';

/**
 * Decides where the run starts: finishes a full fetch whose last page was applied but whose
 * removals were not marked (crash), starts a full fetch on the first run, after an admin reset,
 * or when the periodic reconcile is due, and otherwise continues from the stored cursor
 * (`stored`, read when the run began).
 * @internal
 */
export async function prepareCursor(
  run: RunState,
  stored: CursorRecord | null,
): Promise<CursorRecord> {
  const { ctx, lease } = run;
  let record = stored;
  if (record !== null && record.phase === 'sync' && record.fullFetchId !== null) {
    record = await completeFullFetch(run, record.cursor, record.fullFetchId);
  }
  const reconcileDue =
    record !== null &&
    record.phase === 'sync' &&
    (record.lastFullFetchAt === null ||
      ctx.now().getTime() - Date.parse(record.lastFullFetchAt) >
        ctx.config.fullReconcileIntervalMs);
  const needsFull =
    record === null ||
    (record.phase === 'full' && record.fullFetchId === null) ||
    (record.phase === 'sync' && record.cursor === null) ||
    reconcileDue;
  if (needsFull && record === null) {
    // A first sync writes no cursor before its first page: that page's write creates it (phase
    // `full`, with the full fetch's id), and a run that ends before it simply starts over. A
    // token that holds no device needs no id: nothing can be missing at the end of its fetch.
    return started(run, {
      tokenId: run.tokenId,
      cursor: null,
      phase: 'full',
      fullFetchId: run.startedEmpty ? null : randomUUID(),
      lastFullFetchAt: null,
      fetchedUntil: null,
      updatedAt: ctx.now().toISOString(),
    });
  }
  if (needsFull) {
    record = await ctx.storage.setCursor({
      ...lease.fence,
      expectedCursor: record?.cursor ?? null,
      cursor: null,
      phase: 'full',
      fullFetchId: randomUUID(),
    });
  }
  return started(run, record as CursorRecord);
}

/** Notes where the run starts (full fetch or sync) in its counters. */
function started(run: RunState, ready: CursorRecord): CursorRecord {
  run.counts.fullFetch = ready.phase === 'full';
  run.counts.phase = ready.phase;
  return ready;
}

/**
 * Reads Apple's pages from the stored cursor and passes each one through plan → assign → write
 * (`page-pass.ts`), pipelined: while page N is written, page N+1 is fetched (read-ahead) and
 * planned and assigned. A page that shares a serial with the page being written, a restarted
 * full fetch and the end of a full fetch wait for that write first. A repeated cursor with
 * `more_to_follow` stops the loop until the next run.
 * @internal
 */
export async function syncPages(run: RunState, start: CursorRecord): Promise<void> {
  const { ctx, tokenId, lease } = run;
  const pos: Position = {
    cursor: start.cursor,
    fullFetch: start.phase === 'full',
    fullFetchId: start.phase === 'full' ? start.fullFetchId : null,
  };
  // A full fetch ends the run: what changed meanwhile comes with the next run's sync.
  const pages = run.api.devicePages({
    ...(start.cursor === null
      ? {}
      : { cursor: start.cursor, phase: start.phase === 'sync' ? 'sync' : 'fetch' }),
    limit: ctx.config.pageSize,
    signal: lease.signal,
    stopAfterFetch: true,
  } as const);
  let restartSeen = false;
  let inFlight: InFlight | null = null;
  // The error of a page write running in the background: once set, the next page sends no more
  // assignments (a lost lease belongs to another replica now; after any other failure the run
  // ends and the page is fetched and planned again next run).
  let writeError: { error: unknown } | undefined;
  const halted = (): void => {
    if (writeError !== undefined) throw writeError.error;
  };
  const settle = async (): Promise<void> => {
    const f = inFlight;
    inFlight = null;
    if (f !== null) await f.done;
  };
  try {
    for await (const received of readAhead(pages)) {
      lease.signal.throwIfAborted();
      const page = guarded(run, received);
      const restart = page.restarted === true && !restartSeen;
      const fetchDone = page.phase !== 'fetch' && pos.fullFetch;
      if (restart || fetchDone || overlaps(inFlight, page)) await settle();
      if (restart) {
        // The stored cursor expired or became invalid: the client restarted a full fetch, so
        // every device is re-delivered and the ones it no longer lists are marked removed at the
        // end.
        restartSeen = true;
        pos.fullFetch = true;
        pos.fullFetchId = randomUUID();
        run.counts.fullFetch = true;
        ctx.logger.info({ tokenId }, 'abmkit: cursor expired or invalid; running a full fetch');
      }
      if (fetchDone) {
        await completeFullFetch(run, pos.cursor, pos.fullFetchId);
        pos.fullFetch = false;
        pos.fullFetchId = null;
      }
      if (page.devices.length === 0 && !page.moreToFollow && page.phase !== 'fetch') {
        // Nothing new (a no-change sync): its cursor goes with the run's end where it can.
        await settle();
        if (deferEmptyLastPage(run, pos, page)) break;
      }
      // Plan and assign this page while the previous page's apply is still running.
      const prepared = await preparePage(run, page, halted);
      try {
        await settle();
      } catch (error) {
        // The previous page's write failed after this page's assignments went out: keep what
        // Apple answered for them (throttling, failures) so that the next run honours it.
        await keepResults(run, prepared).catch((lost: unknown) =>
          ctx.logger.warn(
            { event: 'sync.results-lost', tokenId, err: lost },
            'abmkit: the assignment results of a page that was not written could not be stored; the next run assigns those devices again',
          ),
        );
        throw error;
      }
      const sent = pos.cursor;
      const completes = page.phase === 'fetch' && !page.moreToFollow && pos.fullFetch;
      const done = writePage(run, pos, page, prepared);
      if (completes) {
        await done;
        // The page closed the cursor's full fetch; a tracked one also marks what it missed.
        if (pos.fullFetchId !== null) await completeFullFetch(run, pos.cursor, pos.fullFetchId);
        pos.fullFetch = false;
        pos.fullFetchId = null;
      } else {
        done.catch((error: unknown) => {
          // Surfaced by settle(); noted now so that the next page stops assigning at once.
          writeError = { error };
          if (isAbmError(error, 'LEASE_LOST')) lease.markLost(error);
        });
        inFlight = { serials: new Set(page.devices.map((d) => d.serial_number)), done };
      }
      if (page.moreToFollow && page.cursor === sent && sent !== null) {
        await settle();
        ctx.logger.warn({ tokenId }, 'abmkit: Apple repeated the cursor; continuing next run');
        break;
      }
      if (!page.moreToFollow && page.phase !== 'fetch') break;
    }
    await settle();
  } finally {
    // On an error, let a page write still running finish before the lease is released.
    const f = inFlight as InFlight | null;
    if (f !== null) await f.done.catch(() => undefined);
  }
}

/** The page without the records that cannot be stored (counted and reported). */
function guarded(run: RunState, page: SyncApiPage): SyncApiPage {
  const { devices, skipped } = guardPage(page.devices);
  if (skipped.length === 0) return { ...page, devices };
  run.counts.invalid += skipped.length;
  for (const s of skipped) if (run.notes.skipped.length < 100) run.notes.skipped.push(s);
  run.ctx.logger.warn(
    { tokenId: run.tokenId, skipped: skipped.slice(0, 5) },
    `abmkit: ${skipped.length} device record(s) of Apple's page skipped as invalid; the rest of the page is stored`,
  );
  return { ...page, devices };
}

/** A page whose apply (and results) are being written while the next page is prepared. */
interface InFlight {
  serials: ReadonlySet<string>;
  done: Promise<void>;
}

/** Whether `page` has a device of the page being written (then it is planned after that write). */
function overlaps(inFlight: InFlight | null, page: SyncApiPage): boolean {
  if (inFlight === null) return false;
  return page.devices.some((d) => inFlight.serials.has(d.serial_number));
}

/**
 * After the last page of a full fetch: marks removed the devices it did not deliver (history
 * kept), drops their retries, and closes the full fetch on the cursor. Idempotent, so a crash
 * between the last page and this step is finished by the next run.
 */
async function completeFullFetch(
  run: RunState,
  cursor: string | null,
  fullFetchId: string | null,
): Promise<CursorRecord> {
  const { ctx, tokenId, lease } = run;
  // A full fetch without an id began on a token with no device: nothing it can have missed.
  const removed =
    fullFetchId === null
      ? []
      : await ctx.storage.markMissingRemoved({ ...lease.fence, fullFetchId });
  if (removed.length > 0) {
    run.wroteDevices = true;
    run.tally?.invalidate();
    run.counts.removed += removed.length;
    await ctx.storage.deleteRetries(tokenId, removed);
    for (const serial of removed) run.retries.delete(serial);
    for (const serialNumber of removed) {
      ctx.events.emit('device.removed', { tokenId, serialNumber, device: null });
    }
  }
  return ctx.storage.setCursor({
    ...lease.fence,
    expectedCursor: cursor,
    cursor,
    phase: 'sync',
    fullFetchId: null,
    lastFullFetchAt: ctx.now().toISOString(),
  });
}

/**
 * Requests the next page while the current one is being applied and assigned, so that Apple's
 * (or the network's) latency overlaps with storage work. At most two pages are held. A page
 * read ahead but not applied (the run stopped) is simply fetched again next run: the stored
 * cursor only moves with applied pages.
 * @internal
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done === true) return;
      next = iterator.next();
      // Keep an early failure of the read-ahead from surfacing as an unhandled rejection.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await iterator.return?.().catch(() => undefined);
  }
}
