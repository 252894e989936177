import type {
  AssignmentRetryRecord,
  CursorRecord,
  DeviceRecord,
  PolicyRecord,
  SessionRecord,
  SyncRunRecord,
  TokenRecord,
} from '../types.js';

/** A stored lease row. `owner: null` after release; the generation is never reset. @internal */
export interface LeaseRow {
  owner: string | null;
  generation: number;
  expiresAtMs: number;
}

/** One state change, as applied in memory and written to `FileStorage`'s journal. @internal */
export type Change =
  | { op: 'token'; value: TokenRecord }
  | { op: 'session'; tokenId: string; value: SessionRecord | null }
  | { op: 'lease'; tokenId: string; value: LeaseRow }
  | { op: 'cursor'; tokenId: string; value: CursorRecord }
  | { op: 'policy'; value: PolicyRecord }
  | { op: 'device'; value: DeviceRecord }
  | { op: 'retry'; value: AssignmentRetryRecord }
  | { op: 'delRetry'; tokenId: string; serial: string }
  | { op: 'run'; value: SyncRunRecord }
  | { op: 'delRun'; tokenId: string; runId: string }
  | { op: 'dropToken'; tokenId: string };

/** A serialisable image of the whole state (FileStorage snapshots). @internal */
export interface StateImage {
  tokens: TokenRecord[];
  sessions: SessionRecord[];
  leases: [string, LeaseRow][];
  cursors: CursorRecord[];
  policies: PolicyRecord[];
  devices: DeviceRecord[];
  retries: AssignmentRetryRecord[];
  runs: SyncRunRecord[];
}

function nested<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = outer.get(key);
  if (inner === undefined) {
    inner = new Map();
    outer.set(key, inner);
  }
  return inner;
}

/** The in-memory data of `MemoryStorage` and `FileStorage`, with its indexes. @internal */
export class MemoryState {
  readonly tokens = new Map<string, TokenRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly leases = new Map<string, LeaseRow>();
  readonly cursors = new Map<string, CursorRecord>();
  readonly policies = new Map<string, PolicyRecord>();
  readonly devices = new Map<string, Map<string, DeviceRecord>>();
  readonly retries = new Map<string, Map<string, AssignmentRetryRecord>>();
  readonly runs = new Map<string, Map<string, SyncRunRecord>>();
  /** serial → token ids holding a record of it. */
  readonly bySerial = new Map<string, Set<string>>();
  /** token id → its serials sorted (cache, dropped when a serial is added). */
  readonly #sorted = new Map<string, string[]>();

  /** The token's serials in ascending order. */
  sortedSerials(tokenId: string): string[] {
    let sorted = this.#sorted.get(tokenId);
    if (sorted === undefined) {
      sorted = [...(this.devices.get(tokenId)?.keys() ?? [])].sort();
      this.#sorted.set(tokenId, sorted);
    }
    return sorted;
  }

  /** Applies changes in order. */
  apply(changes: readonly Change[]): void {
    for (const c of changes) this.#applyOne(c);
  }

  #applyOne(c: Change): void {
    switch (c.op) {
      case 'token':
        this.tokens.set(c.value.tokenId, c.value);
        return;
      case 'session':
        if (c.value === null) this.sessions.delete(c.tokenId);
        else this.sessions.set(c.tokenId, c.value);
        return;
      case 'lease':
        this.leases.set(c.tokenId, c.value);
        return;
      case 'cursor':
        this.cursors.set(c.tokenId, c.value);
        return;
      case 'policy':
        this.policies.set(c.value.tokenId, c.value);
        return;
      case 'device': {
        const map = nested(this.devices, c.value.tokenId);
        if (!map.has(c.value.serialNumber)) {
          this.#sorted.delete(c.value.tokenId);
          let set = this.bySerial.get(c.value.serialNumber);
          if (set === undefined) {
            set = new Set();
            this.bySerial.set(c.value.serialNumber, set);
          }
          set.add(c.value.tokenId);
        }
        map.set(c.value.serialNumber, c.value);
        return;
      }
      case 'retry':
        nested(this.retries, c.value.tokenId).set(c.value.serialNumber, c.value);
        return;
      case 'delRetry':
        this.retries.get(c.tokenId)?.delete(c.serial);
        return;
      case 'run':
        nested(this.runs, c.value.tokenId).set(c.value.runId, c.value);
        return;
      case 'delRun':
        this.runs.get(c.tokenId)?.delete(c.runId);
        return;
      case 'dropToken': {
        const id = c.tokenId;
        for (const serial of this.devices.get(id)?.keys() ?? []) {
          const set = this.bySerial.get(serial);
          set?.delete(id);
          if (set?.size === 0) this.bySerial.delete(serial);
        }
        this.tokens.delete(id);
        this.sessions.delete(id);
        // The lease row stays (released) so that generations never repeat for this token id:
        // a replica still holding a fence from before the deletion stays fenced out.
        const lease = this.leases.get(id);
        if (lease !== undefined) this.leases.set(id, { ...lease, owner: null, expiresAtMs: 0 });
        this.cursors.delete(id);
        this.policies.delete(id);
        this.devices.delete(id);
        this.retries.delete(id);
        this.runs.delete(id);
        this.#sorted.delete(id);
        return;
      }
    }
  }

  /** A serialisable image of everything. */
  toImage(): StateImage {
    const flat = <V>(m: Map<string, Map<string, V>>): V[] =>
      [...m.values()].flatMap((inner) => [...inner.values()]);
    return {
      tokens: [...this.tokens.values()],
      sessions: [...this.sessions.values()],
      leases: [...this.leases.entries()],
      cursors: [...this.cursors.values()],
      policies: [...this.policies.values()],
      devices: flat(this.devices),
      retries: flat(this.retries),
      runs: flat(this.runs),
    };
  }

  /** Loads an image (into an empty state). */
  load(image: StateImage): void {
    for (const v of image.tokens) this.apply([{ op: 'token', value: v }]);
    for (const v of image.sessions) this.apply([{ op: 'session', tokenId: v.tokenId, value: v }]);
    for (const [tokenId, v] of image.leases) this.apply([{ op: 'lease', tokenId, value: v }]);
    for (const v of image.cursors) this.apply([{ op: 'cursor', tokenId: v.tokenId, value: v }]);
    for (const v of image.policies) this.apply([{ op: 'policy', value: v }]);
    for (const v of image.devices) this.#applyOne({ op: 'device', value: v });
    for (const v of image.retries) this.apply([{ op: 'retry', value: v }]);
    for (const v of image.runs) this.apply([{ op: 'run', value: v }]);
  }
}
