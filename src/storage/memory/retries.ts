import type { SerialAssignmentPlan } from '../../domain/assignments.js';
import { deriveStatus } from '../../domain/devices.js';
import { dueRetryPage } from '../../domain/retries.js';
import type { Limited, RetryPersistence, RetryPosition } from '../adapter.js';
import type {
  AssignmentRetryRecord,
  DeviceRecord,
  IsoDateTime,
  LeaseFence,
  Page,
  RetryQuery,
} from '../types.js';
import type { Change } from './state.js';
import { clone, type StateCore } from './state-core.js';

/** The retry queue of the in-process adapters. @internal */
export class StateRetries implements RetryPersistence {
  constructor(private readonly core: StateCore) {}

  /**
   * The page of due entries plus one, by the domain rule (`dueRetryPage`), cloning only those:
   * copying every entry of the token for each page made listing a long queue quadratic.
   */
  due(
    tokenId: string,
    query: { now: IsoDateTime; after: RetryPosition | null; limit: number },
  ): Promise<AssignmentRetryRecord[]> {
    return this.core.read((s) => {
      const all = [...(s.retries.get(tokenId)?.values() ?? [])];
      return dueRetryPage(all, query.now, query.after, query.limit + 1).items.map(clone);
    });
  }

  list(tokenId: string, query: Limited<RetryQuery>): Promise<Page<AssignmentRetryRecord>> {
    return this.core.read((s) => {
      const all = [...(s.retries.get(tokenId)?.values() ?? [])]
        .filter(
          (r) =>
            (query.status === undefined || r.status === query.status) &&
            (query.cursor === undefined || r.serialNumber > query.cursor),
        )
        .sort((a, b) => (a.serialNumber < b.serialNumber ? -1 : 1));
      const items = all.slice(0, query.limit).map(clone);
      const more = all.length > query.limit;
      return { items, nextCursor: more ? (items.at(-1)?.serialNumber ?? null) : null };
    });
  }

  delete(tokenId: string, serialNumbers: readonly string[]): Promise<number> {
    return this.core.write(() => {
      const retries = this.core.state.retries.get(tokenId);
      const changes: Change[] = serialNumbers
        .filter((serial) => retries?.has(serial) === true)
        .map((serial) => ({ op: 'delRetry', tokenId, serial }));
      return [changes, changes.length];
    });
  }

  record(
    tokenId: string,
    plans: readonly SerialAssignmentPlan[],
    at: IsoDateTime,
    fence?: LeaseFence,
  ): Promise<void> {
    return this.core.write(() => {
      if (fence !== undefined) this.core.checkFence(fence);
      const devices = this.core.state.devices.get(tokenId);
      const retries = this.core.state.retries.get(tokenId);
      const changes: Change[] = [];
      for (const p of plans) {
        const device = devices?.get(p.serial);
        if (p.success !== null && device !== undefined) {
          const value: DeviceRecord = {
            ...device,
            assignedProfileUuid: p.success.profileUuid,
            assignedAt: p.success.at,
            updatedAt: at,
          };
          value.status = deriveStatus(value);
          changes.push({ op: 'device', value });
        }
        const prev = retries?.get(p.serial);
        if (p.retry === null) {
          if (prev !== undefined) changes.push({ op: 'delRetry', tokenId, serial: p.serial });
          continue;
        }
        const value: AssignmentRetryRecord = {
          tokenId,
          serialNumber: p.serial,
          profileUuid: p.retry.profileUuid,
          status: p.retry.status,
          attempts: (p.retry.reset ? 0 : (prev?.attempts ?? 0)) + p.retry.increment,
          nextAttemptAt: p.retry.nextAttemptAt,
          lastError: p.retry.lastError,
          updatedAt: at,
        };
        changes.push({ op: 'retry', value });
      }
      return [changes, undefined];
    });
  }
}
