import type { RunState } from './run-state.js';

/**
 * Reads the token's retry queue into `run.retries` the first time the run plans. A run that
 * plans nothing (a no-change run) does not read it: entries that are never due (a device Apple
 * says this server cannot access) or not due yet would otherwise be read on every run.
 * @internal
 */
export async function ensureRetries(run: RunState): Promise<void> {
  if (!run.retriesPending) return;
  let cursor: string | undefined;
  do {
    const page = await run.ctx.storage.listRetries(run.tokenId, { limit: 10_000, cursor });
    for (const r of page.items)
      if (!run.retries.has(r.serialNumber)) run.retries.set(r.serialNumber, r);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  run.retriesPending = false;
}
