import { normaliseResult } from '../../domain/assignments.js';
import {
  awaitsAssignment,
  collapsePage,
  deriveStatus,
  emptyCounts,
  newRunId,
  upsertDevice,
} from '../../domain/devices.js';
import { toJson } from '../../domain/json.js';
import { pagePlans } from '../../domain/pages.js';
import { tokenMatches } from '../../domain/tokens.js';
import {
  checkDevicePatches,
  checkIso,
  checkLeaseArgs,
  checkSerial,
  checkTokenId,
} from '../../domain/validate.js';
import { CursorConflictError, InvalidArgumentError, LeaseLostError } from '../../errors/index.js';
import type { AdeDevice } from '../../schemas/device.js';
import { FaultableStorage, type FaultInjectionOptions } from '../shared/faults.js';
import { decodeRetryCursor, encodeCursor, pageLimit } from '../shared/paging.js';
import type { StorageBaseOptions } from '../storage-base.js';
import type {
  ApplyPageInput,
  ApplyPageResult,
  AssignmentResultInput,
  AssignmentRetryRecord,
  CursorRecord,
  DevicePatch,
  DeviceQuery,
  DeviceRecord,
  DeviceStatus,
  IsoDateTime,
  LeaseFence,
  LeaseGrant,
  MarkMissingInput,
  Page,
  PageQuery,
  PolicyRecord,
  RetryQuery,
  SessionRecord,
  SetCursorInput,
  SyncRunRecord,
  SyncRunStatus,
  TokenExpectation,
  TokenPatch,
  TokenQuery,
  TokenRecord,
} from '../types.js';
import { type Change, MemoryState } from './state.js';

/** Options shared by the in-process adapters. @internal */
export interface StateStorageOptions extends StorageBaseOptions, FaultInjectionOptions {
  /** Clock in epoch ms (tests); default `Date.now`. */
  clock?: (() => number) | undefined;
}

const clone = <T>(v: T): T => structuredClone(v);

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

/**
 * The logic of `MemoryStorage` and `FileStorage`: every operation computes a list of changes
 * under a mutex, persists it (`persist`: nothing in memory, a journal append for files) and only
 * then applies it to the in-memory state, so each call is all-or-nothing.
 * @internal
 */
export abstract class StateStorage extends FaultableStorage {
  /** The data. @internal */
  protected state = new MemoryState();
  /** Waits for every queued operation (used before closing). @internal */
  protected drain(): Promise<unknown> {
    return this.#queue;
  }
  readonly #clock: () => number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: StateStorageOptions = {}) {
    super(options);
    this.#clock = options.clock ?? Date.now;
  }

  /** Makes `changes` durable before they are applied. @internal */
  protected abstract persist(changes: readonly Change[]): Promise<void>;
  /** Called before each operation (FileStorage opens its directory on first use). @internal */
  protected async ready(): Promise<void> {}
  /** Called under the mutex after changes were applied (FileStorage compacts its journal). @internal */
  protected async afterApply(): Promise<void> {}

  /** Runs `fn` exclusively; its returned changes are persisted then applied. @internal */
  protected exclusive<T>(fn: () => Promise<{ changes: Change[]; result: T }>): Promise<T> {
    const run = this.#queue.then(async () => {
      await this.ready();
      const { changes, result } = await fn();
      if (changes.length > 0) {
        await this.persist(changes);
        this.state.apply(changes);
        await this.afterApply();
      }
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Reads under the mutex (consistent with writes in flight). @internal */
  protected read<T>(fn: () => T): Promise<T> {
    return this.exclusive(async () => ({ changes: [], result: fn() }));
  }

  /** @internal */
  protected nowMs(): number {
    return this.#clock();
  }

  /** @internal */
  protected nowIso(): string {
    return new Date(this.#clock()).toISOString();
  }

  async now(): Promise<IsoDateTime> {
    return this.nowIso();
  }

  #checkFence(fence: LeaseFence): void {
    const lease = this.state.leases.get(fence.tokenId);
    if (
      lease === undefined ||
      lease.owner === null ||
      lease.generation !== fence.generation ||
      (fence.owner !== undefined && lease.owner !== fence.owner) ||
      lease.expiresAtMs <= this.nowMs()
    ) {
      throw new LeaseLostError(fence.tokenId);
    }
  }

  // --- tokens & sessions -----------------------------------------------------------------------

  /** @internal */
  protected async rawSaveToken(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    return this.exclusive(async () => {
      const now = this.nowIso();
      const next: Record<string, unknown> = {
        ...(this.state.tokens.get(tokenId) ?? { tokenId, createdAt: now }),
      };
      for (const [k, v] of Object.entries(patch)) {
        if (k === 'tokenId' || k === 'createdAt' || k === 'updatedAt' || v === undefined) continue;
        if (v === null) delete next[k];
        else next[k] = clone(v);
      }
      Object.assign(next, { updatedAt: now });
      const value = next as unknown as TokenRecord;
      return { changes: [{ op: 'token', value }], result: clone(value) };
    });
  }

  /** @internal */
  protected override async rawUpdateToken(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    return this.exclusive(async () => {
      const stored = this.state.tokens.get(tokenId);
      if (stored === undefined || !tokenMatches(stored, expect)) {
        return { changes: [], result: null };
      }
      const next: Record<string, unknown> = { ...stored };
      for (const [k, v] of Object.entries(patch)) {
        if (k === 'tokenId' || k === 'createdAt' || k === 'updatedAt' || v === undefined) continue;
        if (v === null) delete next[k];
        else next[k] = clone(v);
      }
      Object.assign(next, { updatedAt: this.nowIso() });
      const value = next as unknown as TokenRecord;
      return { changes: [{ op: 'token', value }], result: clone(value) };
    });
  }

  /** @internal */
  protected async rawGetToken(tokenId: string): Promise<TokenRecord | null> {
    return this.read(() => {
      const t = this.state.tokens.get(tokenId);
      return t === undefined ? null : clone(t);
    });
  }

  /** @internal */
  protected async rawListTokens(query: TokenQuery): Promise<Page<TokenRecord>> {
    const limit = pageLimit(query);
    return this.read(() => {
      const all = [...this.state.tokens.values()]
        .filter(
          (t) =>
            (query.customerId === undefined || t.customerId === query.customerId) &&
            (query.siteId === undefined || t.siteId === query.siteId) &&
            (query.cursor === undefined || t.tokenId > query.cursor),
        )
        .sort((a, b) => (a.tokenId < b.tokenId ? -1 : 1));
      const items = all.slice(0, limit).map(clone);
      return { items, nextCursor: all.length > limit ? (items.at(-1)?.tokenId ?? null) : null };
    });
  }

  async deleteToken(tokenId: string): Promise<boolean> {
    checkTokenId(tokenId);
    return this.exclusive(async () => {
      const existed =
        this.state.tokens.has(tokenId) ||
        this.state.devices.has(tokenId) ||
        this.state.cursors.has(tokenId);
      return { changes: existed ? [{ op: 'dropToken', tokenId }] : [], result: existed };
    });
  }

  /** @internal */
  protected async rawPutSession(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void> {
    const expiresAt = checkIso(session.expiresAt, 'A session expiresAt');
    return this.exclusive(async () => ({
      changes: [
        {
          op: 'session',
          tokenId,
          value: {
            tokenId,
            sessionToken: session.sessionToken,
            expiresAt,
            updatedAt: this.nowIso(),
          },
        },
      ],
      result: undefined,
    }));
  }

  /** @internal */
  protected async rawGetSession(tokenId: string): Promise<SessionRecord | null> {
    return this.read(() => {
      const s = this.state.sessions.get(tokenId);
      if (s === undefined || Date.parse(s.expiresAt) <= this.nowMs()) return null;
      return clone(s);
    });
  }

  async deleteSession(tokenId: string): Promise<void> {
    checkTokenId(tokenId);
    return this.exclusive(async () => ({
      changes: this.state.sessions.has(tokenId) ? [{ op: 'session', tokenId, value: null }] : [],
      result: undefined,
    }));
  }

  // --- leases --------------------------------------------------------------------------------------

  async acquireLease(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner, ttlMs);
    return this.exclusive(async () => {
      const now = this.nowMs();
      const cur = this.state.leases.get(tokenId);
      if (cur && cur.owner !== null && cur.owner !== owner && cur.expiresAtMs > now) {
        return { changes: [], result: null };
      }
      const row = { owner, generation: (cur?.generation ?? 0) + 1, expiresAtMs: now + ttlMs };
      return {
        changes: [{ op: 'lease', tokenId, value: row }],
        result: {
          tokenId,
          owner,
          generation: row.generation,
          expiresAt: new Date(row.expiresAtMs).toISOString(),
        },
      };
    });
  }

  async renewLease(
    tokenId: string,
    owner: string,
    generation: number,
    ttlMs: number,
  ): Promise<LeaseGrant> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner, ttlMs);
    return this.exclusive(async () => {
      const now = this.nowMs();
      const cur = this.state.leases.get(tokenId);
      if (!cur || cur.owner !== owner || cur.generation !== generation || cur.expiresAtMs <= now) {
        throw new LeaseLostError(tokenId);
      }
      const row = { owner, generation, expiresAtMs: now + ttlMs };
      return {
        changes: [{ op: 'lease', tokenId, value: row }],
        result: { tokenId, owner, generation, expiresAt: new Date(row.expiresAtMs).toISOString() },
      };
    });
  }

  async releaseLease(tokenId: string, owner: string, generation: number): Promise<boolean> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner);
    return this.exclusive(async () => {
      const cur = this.state.leases.get(tokenId);
      if (!cur || cur.owner !== owner || cur.generation !== generation) {
        return { changes: [], result: false };
      }
      return {
        changes: [{ op: 'lease', tokenId, value: { owner: null, generation, expiresAtMs: 0 } }],
        result: true,
      };
    });
  }

  async getLease(tokenId: string): Promise<LeaseGrant | null> {
    checkTokenId(tokenId);
    return this.read(() => {
      const cur = this.state.leases.get(tokenId);
      if (!cur || cur.owner === null || cur.expiresAtMs <= this.nowMs()) return null;
      return {
        tokenId,
        owner: cur.owner,
        generation: cur.generation,
        expiresAt: new Date(cur.expiresAtMs).toISOString(),
      };
    });
  }

  // --- cursors -------------------------------------------------------------------------------------

  async getCursor(tokenId: string): Promise<CursorRecord | null> {
    checkTokenId(tokenId);
    return this.read(() => {
      const c = this.state.cursors.get(tokenId);
      return c === undefined ? null : clone(c);
    });
  }

  #casCursor(input: SetCursorInput | ApplyPageInput, cursor: string | null): CursorRecord {
    this.#checkFence(input);
    const stored = this.state.cursors.get(input.tokenId);
    if ((stored?.cursor ?? null) !== input.expectedCursor) {
      throw new CursorConflictError(input.tokenId);
    }
    return {
      tokenId: input.tokenId,
      cursor,
      phase: input.phase,
      fullFetchId:
        input.fullFetchId === undefined ? (stored?.fullFetchId ?? null) : input.fullFetchId,
      lastFullFetchAt:
        input.lastFullFetchAt === undefined
          ? (stored?.lastFullFetchAt ?? null)
          : checkIso(input.lastFullFetchAt, 'lastFullFetchAt'),
      fetchedUntil:
        'fetchedUntil' in input && input.fetchedUntil !== undefined
          ? input.fetchedUntil
          : (stored?.fetchedUntil ?? null),
      updatedAt: this.nowIso(),
    };
  }

  async setCursor(input: SetCursorInput): Promise<CursorRecord> {
    checkTokenId(input.tokenId);
    return this.exclusive(async () => {
      const value = this.#casCursor(input, input.cursor);
      return { changes: [{ op: 'cursor', tokenId: input.tokenId, value }], result: clone(value) };
    });
  }

  async resetCursor(tokenId: string): Promise<void> {
    checkTokenId(tokenId);
    return this.exclusive(async () => {
      const stored = this.state.cursors.get(tokenId);
      if (stored === undefined) return { changes: [], result: undefined };
      const value: CursorRecord = {
        ...stored,
        cursor: null,
        phase: 'full',
        fullFetchId: null,
        fetchedUntil: null,
        updatedAt: this.nowIso(),
      };
      return { changes: [{ op: 'cursor', tokenId, value }], result: undefined };
    });
  }

  // --- devices -------------------------------------------------------------------------------------

  async applyPage(input: ApplyPageInput): Promise<ApplyPageResult> {
    const tokenId = checkTokenId(input.tokenId);
    const entries = collapsePage(input.devices);
    const plans = pagePlans(input);
    return this.exclusive(async () => {
      const cursor = this.#casCursor(input, input.nextCursor);
      const nowIso = this.nowIso();
      const result: ApplyPageResult = { added: [], modified: [], removed: [], skipped: [], cursor };
      const changes: Change[] = [];
      const map = this.state.devices.get(tokenId);
      for (const incoming of entries) {
        const { next, outcome } = upsertDevice(
          map?.get(incoming.serial_number),
          toJson(incoming) as AdeDevice,
          {
            tokenId,
            nowIso,
            fullFetchId: input.fullFetchId,
          },
        );
        if (outcome !== 'quiet') result[outcome].push(incoming.serial_number);
        if (next === null) continue;
        const plan = plans.get(incoming.serial_number);
        if (plan !== undefined && !next.removed) {
          next.resolvedProfileUuid = plan.resolvedProfileUuid;
          next.unassignedReason = plan.unassignedReason;
          next.planRevision = plan.planRevision;
          if (plan.assignedAt !== undefined) {
            next.assignedProfileUuid = plan.assignedProfileUuid ?? null;
            next.assignedAt = plan.assignedAt;
          }
          next.status = deriveStatus(next);
        }
        changes.push({ op: 'device', value: next });
      }
      await this.injectFault('applyPage', tokenId);
      changes.push({ op: 'cursor', tokenId, value: cursor });
      return { changes, result: clone(result) };
    });
  }

  async getDevice(tokenId: string, serialNumber: string): Promise<DeviceRecord | null> {
    checkTokenId(tokenId);
    checkSerial(serialNumber);
    return this.read(() => {
      const d = this.state.devices.get(tokenId)?.get(serialNumber);
      return d === undefined ? null : clone(d);
    });
  }

  async getDevices(tokenId: string, serialNumbers: readonly string[]): Promise<DeviceRecord[]> {
    checkTokenId(tokenId);
    return this.read(() => {
      const map = this.state.devices.get(tokenId);
      const out: DeviceRecord[] = [];
      for (const s of new Set(serialNumbers)) {
        const d = map?.get(s);
        if (d !== undefined) out.push(clone(d));
      }
      return out;
    });
  }

  async listDevices(tokenId: string, query: DeviceQuery = {}): Promise<Page<DeviceRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const statuses =
      query.status === undefined
        ? null
        : new Set<DeviceStatus>(typeof query.status === 'string' ? [query.status] : query.status);
    return this.read(() => {
      const map = this.state.devices.get(tokenId);
      if (map === undefined) return { items: [], nextCursor: null };
      const retries = this.state.retries.get(tokenId);
      const sorted = this.state.sortedSerials(tokenId);
      const items: DeviceRecord[] = [];
      let more = false;
      for (
        let i = query.cursor === undefined ? 0 : upperBound(sorted, query.cursor);
        i < sorted.length;
        i++
      ) {
        const d = map.get(sorted[i] as string) as DeviceRecord;
        if (
          statuses !== null ? !statuses.has(d.status) : d.removed && query.includeRemoved !== true
        ) {
          continue;
        }
        if (query.unresolved === true && (d.removed || d.resolvedProfileUuid !== null)) continue;
        if (
          query.pendingAssignment === true &&
          (!awaitsAssignment(d) || retries?.has(d.serialNumber) === true)
        ) {
          continue;
        }
        if (
          query.planRevisionNot !== undefined &&
          (d.removed || d.planRevision === query.planRevisionNot)
        ) {
          continue;
        }
        if (items.length === limit) {
          more = true;
          break;
        }
        items.push(clone(d));
      }
      return { items, nextCursor: more ? (items.at(-1)?.serialNumber ?? null) : null };
    });
  }

  async countDevices(tokenId: string): Promise<Record<DeviceStatus, number>> {
    checkTokenId(tokenId);
    return this.read(() => {
      const counts = emptyCounts();
      for (const d of this.state.devices.get(tokenId)?.values() ?? []) counts[d.status]++;
      return counts;
    });
  }

  async findDeviceBySerial(serialNumber: string): Promise<DeviceRecord[]> {
    checkSerial(serialNumber);
    return this.read(() => {
      const out: DeviceRecord[] = [];
      for (const tokenId of this.state.bySerial.get(serialNumber) ?? []) {
        const d = this.state.devices.get(tokenId)?.get(serialNumber);
        if (d !== undefined) out.push(clone(d));
      }
      return out.sort(
        (a, b) => Number(a.removed) - Number(b.removed) || (a.updatedAt < b.updatedAt ? 1 : -1),
      );
    });
  }

  async updateDevices(
    tokenId: string,
    patches: readonly DevicePatch[],
    fence?: LeaseFence,
  ): Promise<number> {
    checkTokenId(tokenId);
    checkDevicePatches(patches);
    return this.exclusive(async () => {
      if (fence !== undefined) this.#checkFence({ ...fence, tokenId });
      const map = this.state.devices.get(tokenId);
      const changes: Change[] = [];
      const seen = new Map<string, DeviceRecord>();
      const nowIso = this.nowIso();
      for (const p of patches) {
        const prev = seen.get(p.serialNumber) ?? map?.get(p.serialNumber);
        if (prev === undefined) continue;
        const next: DeviceRecord = { ...prev, updatedAt: nowIso };
        if (p.resolvedProfileUuid !== undefined) next.resolvedProfileUuid = p.resolvedProfileUuid;
        if (p.unassignedReason !== undefined) next.unassignedReason = p.unassignedReason;
        if (p.planRevision !== undefined) next.planRevision = p.planRevision;
        if (p.assignedProfileUuid !== undefined) next.assignedProfileUuid = p.assignedProfileUuid;
        if (p.assignedAt !== undefined) {
          next.assignedAt = p.assignedAt === null ? null : checkIso(p.assignedAt, 'assignedAt');
        }
        if (p.enrolledAt !== undefined) {
          next.enrolledAt = p.enrolledAt === null ? null : checkIso(p.enrolledAt, 'enrolledAt');
        }
        if (p.profileServedAt !== undefined) {
          next.profileServedAt =
            p.profileServedAt === null ? null : checkIso(p.profileServedAt, 'profileServedAt');
        }
        next.status = deriveStatus(next);
        seen.set(p.serialNumber, next);
      }
      for (const value of seen.values()) changes.push({ op: 'device', value });
      return { changes, result: seen.size };
    });
  }

  async markMissingRemoved(input: MarkMissingInput): Promise<string[]> {
    checkTokenId(input.tokenId);
    return this.exclusive(async () => {
      this.#checkFence(input);
      const nowIso = this.nowIso();
      const changes: Change[] = [];
      const serials: string[] = [];
      for (const d of this.state.devices.get(input.tokenId)?.values() ?? []) {
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
      return { changes, result: serials.sort() };
    });
  }

  // --- policy --------------------------------------------------------------------------------------

  async getPolicy(tokenId: string): Promise<PolicyRecord | null> {
    checkTokenId(tokenId);
    return this.read(() => {
      const p = this.state.policies.get(tokenId);
      return p === undefined ? null : clone(p);
    });
  }

  async setPolicy(tokenId: string, policy: unknown): Promise<PolicyRecord> {
    checkTokenId(tokenId);
    const json = toJson(policy);
    return this.exclusive(async () => {
      const value: PolicyRecord = {
        tokenId,
        policy: json,
        revision: (this.state.policies.get(tokenId)?.revision ?? 0) + 1,
        updatedAt: this.nowIso(),
      };
      return { changes: [{ op: 'policy', value }], result: clone(value) };
    });
  }

  // --- assignments ----------------------------------------------------------------------------------

  async recordAssignmentResults(
    tokenId: string,
    results: readonly AssignmentResultInput[],
    fence?: LeaseFence,
  ): Promise<void> {
    checkTokenId(tokenId);
    const normalised = results.map(normaliseResult);
    return this.exclusive(async () => {
      if (fence !== undefined) this.#checkFence({ ...fence, tokenId });
      const nowIso = this.nowIso();
      const devices = this.state.devices.get(tokenId);
      const retries = new Map(this.state.retries.get(tokenId));
      const changedDevices = new Map<string, DeviceRecord>();
      const changes: Change[] = [];
      for (const r of normalised) {
        const at = r.at ?? nowIso;
        if (r.status === 'SUCCESS') {
          const prev = changedDevices.get(r.serialNumber) ?? devices?.get(r.serialNumber);
          if (prev !== undefined) {
            const next = {
              ...prev,
              assignedProfileUuid: r.profileUuid,
              assignedAt: at,
              updatedAt: nowIso,
            };
            next.status = deriveStatus(next);
            changedDevices.set(r.serialNumber, next);
          }
          if (retries.delete(r.serialNumber)) {
            changes.push({ op: 'delRetry', tokenId, serial: r.serialNumber });
          }
          continue;
        }
        const prev = retries.get(r.serialNumber);
        const value: AssignmentRetryRecord = {
          tokenId,
          serialNumber: r.serialNumber,
          profileUuid: r.profileUuid,
          status: r.status,
          attempts: (prev?.attempts ?? 0) + 1,
          nextAttemptAt: r.status === 'NOT_ACCESSIBLE' ? null : (r.nextAttemptAt as string),
          lastError: r.error ?? null,
          updatedAt: nowIso,
        };
        retries.set(r.serialNumber, value);
        changes.push({ op: 'retry', value });
      }
      for (const value of changedDevices.values()) changes.push({ op: 'device', value });
      return { changes, result: undefined };
    });
  }

  async listDueRetries(
    tokenId: string,
    query: PageQuery & { now?: IsoDateTime | undefined } = {},
  ): Promise<Page<AssignmentRetryRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const after = query.cursor === undefined ? null : decodeRetryCursor(query.cursor);
    return this.read(() => {
      const now = query.now === undefined ? this.nowIso() : checkIso(query.now, 'now');
      const due = [...(this.state.retries.get(tokenId)?.values() ?? [])]
        .filter((r) => r.nextAttemptAt !== null && r.nextAttemptAt <= now)
        .filter(
          (r) =>
            after === null ||
            (r.nextAttemptAt as string) > (after[0] as string) ||
            (r.nextAttemptAt === after[0] && r.serialNumber > (after[1] as string)),
        )
        .sort((a, b) =>
          a.nextAttemptAt === b.nextAttemptAt
            ? a.serialNumber < b.serialNumber
              ? -1
              : 1
            : (a.nextAttemptAt as string) < (b.nextAttemptAt as string)
              ? -1
              : 1,
        );
      const items = due.slice(0, limit).map(clone);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          due.length > limit && last
            ? encodeCursor([last.nextAttemptAt as string, last.serialNumber])
            : null,
      };
    });
  }

  async listRetries(tokenId: string, query: RetryQuery = {}): Promise<Page<AssignmentRetryRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    return this.read(() => {
      const all = [...(this.state.retries.get(tokenId)?.values() ?? [])]
        .filter(
          (r) =>
            (query.status === undefined || r.status === query.status) &&
            (query.cursor === undefined || r.serialNumber > query.cursor),
        )
        .sort((a, b) => (a.serialNumber < b.serialNumber ? -1 : 1));
      const items = all.slice(0, limit).map(clone);
      return {
        items,
        nextCursor: all.length > limit ? (items.at(-1)?.serialNumber ?? null) : null,
      };
    });
  }

  async deleteRetries(tokenId: string, serialNumbers: readonly string[]): Promise<number> {
    checkTokenId(tokenId);
    return this.exclusive(async () => {
      const retries = this.state.retries.get(tokenId);
      const changes: Change[] = [];
      for (const serial of new Set(serialNumbers)) {
        if (retries?.has(serial)) changes.push({ op: 'delRetry', tokenId, serial });
      }
      return { changes, result: changes.length };
    });
  }

  // --- sync runs -----------------------------------------------------------------------------------

  async startSyncRun(
    tokenId: string,
    input: { owner?: string | undefined } = {},
  ): Promise<SyncRunRecord> {
    checkTokenId(tokenId);
    return this.exclusive(async () => {
      const value: SyncRunRecord = {
        runId: newRunId(this.nowMs()),
        tokenId,
        owner: input.owner ?? null,
        status: 'running',
        startedAt: this.nowIso(),
        finishedAt: null,
        report: null,
        error: null,
      };
      return { changes: [{ op: 'run', value }], result: clone(value) };
    });
  }

  async finishSyncRun(
    tokenId: string,
    runId: string,
    result: {
      status: Exclude<SyncRunStatus, 'running'>;
      report?: Readonly<Record<string, unknown>> | undefined;
      error?: { code: string; message: string } | undefined;
    },
  ): Promise<SyncRunRecord | null> {
    checkTokenId(tokenId);
    const report =
      result.report === undefined ? null : (toJson(result.report) as Record<string, unknown>);
    return this.exclusive(async () => {
      const prev = this.state.runs.get(tokenId)?.get(runId);
      if (prev === undefined) return { changes: [], result: null };
      const value: SyncRunRecord = {
        ...prev,
        status: result.status,
        finishedAt: this.nowIso(),
        report,
        error:
          result.error === undefined
            ? null
            : { code: result.error.code, message: result.error.message },
      };
      return { changes: [{ op: 'run', value }], result: clone(value) };
    });
  }

  async listSyncRuns(tokenId: string, query: PageQuery = {}): Promise<Page<SyncRunRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    return this.read(() => {
      const all = [...(this.state.runs.get(tokenId)?.values() ?? [])]
        .filter((r) => query.cursor === undefined || r.runId < query.cursor)
        .sort((a, b) => (a.runId < b.runId ? 1 : -1));
      const items = all.slice(0, limit).map(clone);
      return { items, nextCursor: all.length > limit ? (items.at(-1)?.runId ?? null) : null };
    });
  }

  async pruneSyncRuns(tokenId: string, keep: number): Promise<number> {
    checkTokenId(tokenId);
    if (!Number.isInteger(keep) || keep < 0) {
      throw new InvalidArgumentError('`keep` must be a non-negative integer.');
    }
    return this.exclusive(async () => {
      const ids = [...(this.state.runs.get(tokenId)?.keys() ?? [])].sort().reverse();
      const changes: Change[] = ids.slice(keep).map((runId) => ({ op: 'delRun', tokenId, runId }));
      return { changes, result: changes.length };
    });
  }
}
