import { applyPlan, upsertDevice } from '../../domain/devices.js';
import { toJson } from '../../domain/json.js';
import { CursorConflictError } from '../../errors/index.js';
import type { AdeDevice } from '../../schemas/device.js';
import type { CursorPersistence, PageWrite } from '../adapter.js';
import type { ApplyPageResult, CursorRecord, SetCursorInput } from '../types.js';
import type { Change } from './state.js';
import { clone, type StateCore } from './state-core.js';

/** Cursors and page writes of the in-process adapters. @internal */
export class StateCursors implements CursorPersistence {
  constructor(private readonly core: StateCore) {}

  get(tokenId: string): Promise<CursorRecord | null> {
    return this.core.read((s) => {
      const c = s.cursors.get(tokenId);
      return c === undefined ? null : clone(c);
    });
  }

  /** The fenced compare-and-set: the cursor record to write. */
  #cas(input: SetCursorInput | PageWrite, cursor: string | null): CursorRecord {
    this.core.checkFence(input);
    const stored = this.core.state.cursors.get(input.tokenId);
    if ((stored?.cursor ?? null) !== input.expectedCursor) {
      throw new CursorConflictError(input.tokenId);
    }
    return {
      tokenId: input.tokenId,
      cursor,
      phase: input.phase,
      fullFetchId:
        input.fullFetchId === undefined ? (stored?.fullFetchId ?? null) : input.fullFetchId,
      lastFullFetchAt: input.lastFullFetchAt ?? stored?.lastFullFetchAt ?? null,
      fetchedUntil:
        'fetchedUntil' in input && input.fetchedUntil !== undefined
          ? input.fetchedUntil
          : (stored?.fetchedUntil ?? null),
      updatedAt: this.core.nowIso(),
    };
  }

  set(input: SetCursorInput): Promise<CursorRecord> {
    return this.core.write(() => {
      const value = this.#cas(input, input.cursor);
      return [[{ op: 'cursor', tokenId: input.tokenId, value }], clone(value)];
    });
  }

  reset(tokenId: string): Promise<void> {
    return this.core.write(() => {
      const stored = this.core.state.cursors.get(tokenId);
      if (stored === undefined) return [[], undefined];
      const value: CursorRecord = {
        ...stored,
        cursor: null,
        phase: 'full',
        fullFetchId: null,
        fetchedUntil: null,
        updatedAt: this.core.nowIso(),
      };
      return [[{ op: 'cursor', tokenId, value }], undefined];
    });
  }

  applyPage(page: PageWrite, betweenWrites: () => Promise<void>): Promise<ApplyPageResult> {
    const { tokenId } = page;
    return this.core.exclusive(async () => {
      const cursor = this.#cas(page, page.nextCursor);
      const nowIso = this.core.nowIso();
      const result: ApplyPageResult = { added: [], modified: [], removed: [], skipped: [], cursor };
      const changes: Change[] = [];
      const map = this.core.state.devices.get(tokenId);
      const ctx = { tokenId, nowIso, fullFetchId: page.fullFetchId };
      for (const incoming of page.devices) {
        const serial = incoming.serial_number;
        const { next, outcome } = upsertDevice(
          map?.get(serial),
          toJson(incoming) as AdeDevice,
          ctx,
        );
        if (outcome !== 'quiet') result[outcome].push(serial);
        if (next === null) continue;
        applyPlan(next, page.plans.get(serial));
        changes.push({ op: 'device', value: next });
      }
      await betweenWrites();
      changes.push({ op: 'cursor', tokenId, value: cursor });
      return { changes, result: clone(result) };
    });
  }
}
