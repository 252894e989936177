/**
 * A sync run's start and end composed from the single {@link AbmStorage} methods: what
 * `beginSyncRun` / `endSyncRun` do on a store that cannot do them in one step (a custom store,
 * or an adapter without `runs.begin` / `runs.end`). Rules once: an adapter's one-step answer
 * must equal these.
 * @module
 */

import { tokenMatches } from '../domain/tokens.js';
import { isAbmError } from '../errors/index.js';
import type {
  AbmStorage,
  BeginSyncRunInput,
  CursorRecord,
  DeviceSummary,
  EndSyncRunInput,
  RunEndCursor,
  SyncRunBegin,
  SyncRunEnd,
  SyncRunStart,
  UnresolvedSample,
} from './types.js';

/** {@link SyncRunStore.beginSyncRun} from the single methods (the lease is released on failure). */
export async function beginRunByParts(
  storage: AbmStorage,
  input: BeginSyncRunInput,
): Promise<SyncRunBegin> {
  const { tokenId, owner, ttlMs, now } = input;
  const within = input.skipIfSyncedWithin;
  const seen = input.ifTokenUnchanged;
  if (within !== undefined || seen !== undefined) {
    const skip = await beginCheck(storage, tokenId, within, seen);
    if (skip !== null) return skip;
  }
  const lease = await storage.acquireLease(tokenId, owner, ttlMs);
  if (lease === null) return null;
  if (within !== undefined || seen !== undefined) {
    // A run that ended between the read above and the lease: judged again, now under the lease.
    const again = await beginCheck(storage, tokenId, within, seen).catch(async (error: unknown) => {
      await storage.releaseLease(tokenId, owner, lease.generation).catch(() => undefined);
      throw error;
    });
    if (again !== null) {
      await storage.releaseLease(tokenId, owner, lease.generation).catch(() => undefined);
      return again;
    }
  }
  try {
    const run = await storage.startSyncRun(tokenId, { owner });
    const cursor = await storage.getCursor(tokenId);
    const policy = await storage.getPolicy(tokenId);
    const known = input.knownPolicy;
    const unchanged =
      known !== undefined &&
      policy !== null &&
      policy.revision === known.revision &&
      policy.updatedAt === known.updatedAt;
    const devices = await storage.countDevices(tokenId);
    const some = async (page: Promise<{ items: readonly unknown[] }>) =>
      (await page).items.length > 0;
    const retries = await some(storage.listRetries(tokenId, { limit: 1 }));
    return {
      lease,
      run,
      cursor,
      policy: unchanged ? 'unchanged' : policy,
      devices,
      pending: {
        replan: await some(
          storage.listDevices(tokenId, { planRevisionNot: policy?.revision ?? 0, limit: 1 }),
        ),
        assign: await some(storage.listDevices(tokenId, { pendingAssignment: true, limit: 1 })),
        retries,
        dueRetries: retries && (await some(storage.listDueRetries(tokenId, { now, limit: 1 }))),
      },
    };
  } catch (error) {
    await storage.releaseLease(tokenId, owner, lease.generation).catch(() => undefined);
    throw error;
  }
}

/** Whether `ifTokenUnchanged` or `skipIfSyncedWithin` stop a run's start, on the stored token. */
async function beginCheck(
  storage: AbmStorage,
  tokenId: string,
  within: BeginSyncRunInput['skipIfSyncedWithin'],
  seen: BeginSyncRunInput['ifTokenUnchanged'],
): Promise<'token-changed' | 'recently-synced' | null> {
  const token = await storage.getToken(tokenId);
  if (
    seen !== undefined &&
    (token === null ||
      token.updatedAt !== seen.updatedAt ||
      (token.credentialsId ?? null) !== seen.credentialsId)
  ) {
    return 'token-changed';
  }
  const last = token?.lastSyncAt;
  if (within !== undefined && last !== undefined && syncedBetween(last, within.from, within.to)) {
    return 'recently-synced';
  }
  return null;
}

/**
 * {@link SyncRunStore.endSyncRun} from the single methods, in order: token write, run finish,
 * prune, lease release. The lease is released even when an earlier step fails; the first
 * failure is then thrown.
 */
export async function endRunByParts(
  storage: AbmStorage,
  input: EndSyncRunInput,
): Promise<SyncRunEnd> {
  const { tokenId, lease } = input;
  const out: SyncRunEnd = { run: null, token: null, pruned: 0, released: false };
  if (input.cursor !== undefined) out.cursor = null;
  try {
    if (input.cursor !== undefined && lease !== undefined) {
      out.cursor = await endCursor(storage, tokenId, lease, input.cursor);
    }
    if (input.token !== undefined) {
      const { patch, expect } = input.token;
      if (typeof storage.updateToken === 'function') {
        out.token = await storage.updateToken(tokenId, patch, expect);
      } else {
        // A store without the atomic update: read, compare, write (not atomic).
        const stored = await storage.getToken(tokenId);
        if (stored !== null && tokenMatches(stored, expect)) {
          out.token = await storage.saveToken(tokenId, patch);
        }
      }
    }
    out.run = await storage.finishSyncRun(tokenId, input.runId, input.result);
    out.pruned = await storage.pruneSyncRuns(tokenId, input.keep);
  } finally {
    if (lease !== undefined) {
      out.released = await storage
        .releaseLease(tokenId, lease.owner, lease.generation)
        .catch(() => false);
    }
  }
  return out;
}

/**
 * The cursor write of {@link EndSyncRunInput.cursor}: an empty page applied under the lease;
 * `null` when the lease was lost or the stored cursor had changed.
 */
async function endCursor(
  storage: AbmStorage,
  tokenId: string,
  lease: { owner: string; generation: number },
  cursor: RunEndCursor,
): Promise<CursorRecord | null> {
  try {
    const applied = await storage.applyPage({
      tokenId,
      ...lease,
      ...cursor,
      devices: [],
    });
    return applied.cursor;
  } catch (error) {
    if (isAbmError(error, 'LEASE_LOST') || isAbmError(error, 'CURSOR_CONFLICT')) return null;
    throw error;
  }
}

/** Whether `lastSyncAt` lies in `[from, to]` (the rule of `skipIfSyncedWithin`). */
export function syncedBetween(lastSyncAt: string, from: string, to: string): boolean {
  const at = Date.parse(lastSyncAt);
  return at >= Date.parse(from) && at <= Date.parse(to);
}

/**
 * {@link SyncRunStart.unresolved} from the listing it stands for: the token's devices without a
 * resolved profile, counted up to 100, and the first by serial number.
 */
export async function unresolvedSample(
  storage: AbmStorage,
  tokenId: string,
): Promise<UnresolvedSample> {
  const { items } = await storage.listDevices(tokenId, { unresolved: true, limit: 100 });
  const first = items[0];
  return {
    count: items.length,
    first:
      first === undefined
        ? null
        : { serialNumber: first.serialNumber, unassignedReason: first.unassignedReason },
  };
}

/** {@link DeviceStore.summarizeDevices} from `countDevices` and `listDevices`. */
export async function summarizeByParts(
  storage: AbmStorage,
  tokenId: string,
): Promise<DeviceSummary> {
  return {
    counts: await storage.countDevices(tokenId),
    unresolved: await unresolvedSample(storage, tokenId),
  };
}
