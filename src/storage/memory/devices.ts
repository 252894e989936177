import { awaitsAssignment, deriveStatus, emptyCounts } from '../../domain/devices.js';
import type { DevicePersistence, Limited } from '../adapter.js';
import type {
  DevicePatch,
  DeviceQuery,
  DeviceRecord,
  DeviceStatus,
  LeaseFence,
  MarkMissingInput,
  Page,
} from '../types.js';
import type { Change, MemoryState } from './state.js';
import { clone, type StateCore } from './state-core.js';

function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether a device passes the filters of a {@link DeviceQuery}. */
function matches(
  d: DeviceRecord,
  query: DeviceQuery,
  statuses: ReadonlySet<DeviceStatus> | null,
  queued: ReadonlyMap<string, unknown> | undefined,
): boolean {
  if (statuses !== null ? !statuses.has(d.status) : d.removed && query.includeRemoved !== true) {
    return false;
  }
  if (query.unresolved === true && (d.removed || d.resolvedProfileUuid !== null)) return false;
  if (query.pendingAssignment === true && (!awaitsAssignment(d) || queued?.has(d.serialNumber))) {
    return false;
  }
  return !(
    query.planRevisionNot !== undefined &&
    (d.removed || d.planRevision === query.planRevisionNot)
  );
}

/** Devices of the in-process adapters (listings walk a sorted serial index). @internal */
export class StateDevices implements DevicePersistence {
  constructor(private readonly core: StateCore) {}

  get(tokenId: string, serialNumber: string): Promise<DeviceRecord | null> {
    return this.core.read((s) => {
      const d = s.devices.get(tokenId)?.get(serialNumber);
      return d === undefined ? null : clone(d);
    });
  }

  getMany(tokenId: string, serialNumbers: readonly string[]): Promise<DeviceRecord[]> {
    return this.core.read((s) => {
      const map = s.devices.get(tokenId);
      const out: DeviceRecord[] = [];
      for (const serial of serialNumbers) {
        const d = map?.get(serial);
        if (d !== undefined) out.push(clone(d));
      }
      return out;
    });
  }

  list(tokenId: string, query: Limited<DeviceQuery>): Promise<Page<DeviceRecord>> {
    const statuses =
      query.status === undefined
        ? null
        : new Set<DeviceStatus>(typeof query.status === 'string' ? [query.status] : query.status);
    return this.core.read((s) => this.#list(s, tokenId, query, statuses));
  }

  #list(
    s: MemoryState,
    tokenId: string,
    query: Limited<DeviceQuery>,
    statuses: ReadonlySet<DeviceStatus> | null,
  ): Page<DeviceRecord> {
    const map = s.devices.get(tokenId);
    if (map === undefined) return { items: [], nextCursor: null };
    const queued = s.retries.get(tokenId);
    const sorted = s.sortedSerials(tokenId);
    const items: DeviceRecord[] = [];
    const start = query.cursor === undefined ? 0 : upperBound(sorted, query.cursor);
    for (let i = start; i < sorted.length; i++) {
      const d = map.get(sorted[i] as string) as DeviceRecord;
      if (!matches(d, query, statuses, queued)) continue;
      if (items.length === query.limit)
        return { items, nextCursor: items.at(-1)?.serialNumber ?? null };
      items.push(clone(d));
    }
    return { items, nextCursor: null };
  }

  count(tokenId: string): Promise<Record<DeviceStatus, number>> {
    return this.core.read((s) => {
      const counts = emptyCounts();
      for (const d of s.devices.get(tokenId)?.values() ?? []) counts[d.status]++;
      return counts;
    });
  }

  findBySerial(serialNumber: string): Promise<DeviceRecord[]> {
    return this.core.read((s) => {
      const out: DeviceRecord[] = [];
      for (const tokenId of s.bySerial.get(serialNumber) ?? []) {
        const d = s.devices.get(tokenId)?.get(serialNumber);
        if (d !== undefined) out.push(clone(d));
      }
      return out.sort(
        (a, b) => Number(a.removed) - Number(b.removed) || (a.updatedAt < b.updatedAt ? 1 : -1),
      );
    });
  }

  update(tokenId: string, patches: readonly DevicePatch[], fence?: LeaseFence): Promise<number> {
    return this.core.write(() => {
      if (fence !== undefined) this.core.checkFence(fence);
      const map = this.core.state.devices.get(tokenId);
      const seen = new Map<string, DeviceRecord>();
      const nowIso = this.core.nowIso();
      for (const p of patches) {
        const prev = seen.get(p.serialNumber) ?? map?.get(p.serialNumber);
        if (prev === undefined) continue;
        const next: DeviceRecord = { ...prev, updatedAt: nowIso };
        for (const f of PATCH_FIELDS) {
          if (p[f] !== undefined) Object.assign(next, { [f]: p[f] });
        }
        next.status = deriveStatus(next);
        seen.set(p.serialNumber, next);
      }
      const changes: Change[] = [...seen.values()].map((value) => ({ op: 'device', value }));
      return [changes, seen.size];
    });
  }

  markMissingRemoved(input: MarkMissingInput): Promise<string[]> {
    return this.core.write(() => {
      this.core.checkFence(input);
      const nowIso = this.core.nowIso();
      const changes: Change[] = [];
      const serials: string[] = [];
      for (const d of this.core.state.devices.get(input.tokenId)?.values() ?? []) {
        if (d.removed || d.fullFetchId === input.fullFetchId) continue;
        const next: DeviceRecord = {
          ...d,
          removed: true,
          removedAt: nowIso,
          assignedProfileUuid: null,
          assignedAt: null,
          updatedAt: nowIso,
        };
        next.status = deriveStatus(next);
        changes.push({ op: 'device', value: next });
        serials.push(d.serialNumber);
      }
      return [changes, serials.sort()];
    });
  }
}

const PATCH_FIELDS = [
  'resolvedProfileUuid',
  'unassignedReason',
  'planRevision',
  'assignedProfileUuid',
  'assignedAt',
  'enrolledAt',
  'profileServedAt',
] as const;
