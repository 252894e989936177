import { beginRunByParts, endRunByParts, summarizeByParts } from '../storage/run-bracket.js';
import type {
  BeginSyncRunInput,
  DeviceSummary,
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

/** The token's device counts and unresolved devices through `summarizeDevices`, or composed. @internal */
export function summarize(ctx: ManagerContext, tokenId: string): Promise<DeviceSummary> {
  const storage = ctx.storage;
  return typeof storage.summarizeDevices === 'function'
    ? storage.summarizeDevices(tokenId)
    : summarizeByParts(storage, tokenId);
}
