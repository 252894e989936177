import { beginRunByParts, endRunByParts } from '../storage/run-bracket.js';
import type {
  BeginSyncRunInput,
  EndSyncRunInput,
  SyncRunBegin,
  SyncRunEnd,
} from '../storage/types.js';
import type { ManagerContext } from './context.js';

/**
 * A run's start through the store's one-step `beginSyncRun` (one round trip on PostgreSQL and Redis), or
 * composed from the single methods on a store without it. @internal
 */
export function beginRun(ctx: ManagerContext, input: BeginSyncRunInput): Promise<SyncRunBegin> {
  const storage = ctx.storage;
  return typeof storage.beginSyncRun === 'function'
    ? storage.beginSyncRun(input)
    : beginRunByParts(storage, input);
}

/** A run's end through `endSyncRun`, or composed on a store without it. @internal */
export function endRun(ctx: ManagerContext, input: EndSyncRunInput): Promise<SyncRunEnd> {
  const storage = ctx.storage;
  return typeof storage.endSyncRun === 'function'
    ? storage.endSyncRun(input)
    : endRunByParts(storage, input);
}
