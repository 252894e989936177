import { newRunId } from '../../domain/devices.js';
import type { RunOutcome, RunPersistence } from '../adapter.js';
import type { Page, SyncRunRecord } from '../types.js';
import type { Change } from './state.js';
import { clone, type StateCore } from './state-core.js';

/** Sync-run history of the in-process adapters. @internal */
export class StateRuns implements RunPersistence {
  constructor(private readonly core: StateCore) {}

  start(tokenId: string, owner: string | null): Promise<SyncRunRecord> {
    return this.core.write(() => {
      const value: SyncRunRecord = {
        runId: newRunId(this.core.nowMs()),
        tokenId,
        owner,
        status: 'running',
        startedAt: this.core.nowIso(),
        finishedAt: null,
        report: null,
        error: null,
      };
      return [[{ op: 'run', value }], clone(value)];
    });
  }

  finish(tokenId: string, runId: string, outcome: RunOutcome): Promise<SyncRunRecord | null> {
    return this.core.write(() => {
      const prev = this.core.state.runs.get(tokenId)?.get(runId);
      if (prev === undefined) return [[], null];
      const value: SyncRunRecord = { ...prev, ...outcome, finishedAt: this.core.nowIso() };
      return [[{ op: 'run', value }], clone(value)];
    });
  }

  list(
    tokenId: string,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<SyncRunRecord>> {
    return this.core.read((s) => {
      const all = [...(s.runs.get(tokenId)?.values() ?? [])]
        .filter((r) => query.cursor === undefined || r.runId < query.cursor)
        .sort((a, b) => (a.runId < b.runId ? 1 : -1));
      const items = all.slice(0, query.limit).map(clone);
      const more = all.length > query.limit;
      return { items, nextCursor: more ? (items.at(-1)?.runId ?? null) : null };
    });
  }

  prune(tokenId: string, keep: number): Promise<number> {
    return this.core.write(() => {
      const ids = [...(this.core.state.runs.get(tokenId)?.keys() ?? [])].sort().reverse();
      const changes: Change[] = ids.slice(keep).map((runId) => ({ op: 'delRun', tokenId, runId }));
      return [changes, changes.length];
    });
  }
}
