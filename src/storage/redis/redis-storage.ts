import { normaliseResult, planAssignmentResults } from '../../domain/assignments.js';
import { collapsePage } from '../../domain/devices.js';
import { toJson } from '../../domain/json.js';
import { pagePlans } from '../../domain/pages.js';
import {
  checkDevicePatches,
  checkIso,
  checkLeaseArgs,
  checkSerial,
  checkTokenId,
} from '../../domain/validate.js';
import { InvalidArgumentError } from '../../errors/index.js';
import type { AdeDevice } from '../../schemas/device.js';
import type { StorageAdapter } from '../adapter.js';
import { FaultableStorage, type FaultInjectionOptions } from '../shared/faults.js';
import type { StorageBaseOptions } from '../storage-base.js';
import type {
  ApplyPageInput,
  AssignmentResultInput,
  DevicePatch,
  DeviceQuery,
  IsoDateTime,
  LeaseFence,
  MarkMissingInput,
  PageQuery,
  RetryQuery,
  SetCursorInput,
  StorageCapabilities,
  SyncRunStatus,
  TokenExpectation,
  TokenPatch,
  TokenQuery,
} from '../types.js';
import { RedisApiAccountStore, RedisApiAccounts } from './api-accounts.js';
import { RedisCursorPages } from './cursor-pages.js';
import { RedisDevices } from './devices.js';
import { RedisLeases } from './leases.js';
import { RedisPolicies } from './policy.js';
import { type RedisClientLike, RedisConnection } from './redis-client.js';
import { RedisRetries } from './retries.js';
import { RedisRuns } from './runs.js';
import { RedisSessions } from './sessions.js';
import { RedisTokens } from './tokens.js';

export type { RedisClientLike } from './redis-client.js';

/** Options of {@link RedisStorage}. */
export interface RedisStorageOptions extends StorageBaseOptions, FaultInjectionOptions {
  /** Your `ioredis` client (RedisStorage never connects or quits it). */
  client: RedisClientLike;
  /** Key prefix (default `abmkit`). Keys look like `<prefix>:{<tokenId>}:devices`. */
  prefix?: string | undefined;
}

/** Checks the options and builds the Redis stores. */
function redisAdapter(options: RedisStorageOptions): StorageAdapter {
  const client = options?.client as RedisClientLike | undefined;
  if (!client || typeof client.call !== 'function') {
    throw new InvalidArgumentError(
      'RedisStorage needs `client`: an ioredis client (npm install ioredis; new Redis(url)).',
    );
  }
  const prefix = options.prefix ?? 'abmkit';
  if (!/^[^{}\s]{1,100}$/.test(prefix)) {
    throw new InvalidArgumentError(
      'A Redis key prefix must be 1–100 characters without braces or spaces.',
    );
  }
  const r = new RedisConnection(client, prefix);
  const leases = new RedisLeases(r);
  return {
    capabilities: Object.freeze({
      crossProcessLeases: true,
      atomicPageApply: true,
      ttl: true,
      persistent: true,
    }),
    tokens: new RedisTokens(r),
    sessions: new RedisSessions(r),
    leases,
    cursors: new RedisCursorPages(r, leases, options.faultInjection),
    devices: new RedisDevices(r),
    retries: new RedisRetries(r),
    runs: new RedisRuns(r),
    policies: new RedisPolicies(r),
    apiAccounts: new RedisApiAccounts(r),
    now: () => r.now(),
    close: async () => {},
  };
}

/**
 * Redis storage over the embedder's `ioredis` client, for one or many replicas.
 *
 * Each token's keys share the `{tokenId}` hash tag (one Cluster slot), so page apply + cursor
 * compare-and-set is one Lua script that also checks the lease generation. Leases are
 * `SET NX PX` with a generation from `INCR`, renewed and released by owner-checking scripts, and
 * expire on the Redis clock. Device listings use sorted-set indexes per status. The cross-token
 * serial index (`<prefix>:serial:<serial>`) is written before each page, so a crash can leave
 * an extra index entry but never a missing one; lookups ignore entries without a device.
 *
 * **One clock: Redis `TIME`.** Every timestamp the store writes (`createdAt`, `updatedAt`,
 * `firstSeenAt`, `removedAt`, run `startedAt`/`finishedAt`, lease and session expiry) is read
 * from Redis `TIME`, inside the Lua script that writes it, and {@link RedisStorage.now} reads
 * the same clock; the process clock is never used, so replicas with skewed clocks agree.
 * Timestamps passed in by the caller (`assignedAt`, `nextAttemptAt`, …) are stored as given.
 */
export class RedisStorage extends FaultableStorage {
  /** {@inheritDoc AbmStorage.capabilities} */
  readonly capabilities: StorageCapabilities;
  /** Business API accounts and token → server links (hashes `<prefix>:api:*`). */
  readonly apiAccounts: RedisApiAccountStore;
  readonly #s: StorageAdapter;
  readonly #prefix: string;

  constructor(options: RedisStorageOptions) {
    const s = redisAdapter(options);
    super(options);
    this.#s = s;
    this.#prefix = options.prefix ?? 'abmkit';
    this.capabilities = s.capabilities;
    this.apiAccounts = new RedisApiAccountStore(options.client, this.#prefix, this.secrets);
  }

  /** The key prefix. */
  get prefix(): string {
    return this.#prefix;
  }

  // Interim front (until the shared front takes a StorageAdapter): checks, then the stores.
  protected rawSaveToken(tokenId: string, patch: TokenPatch) {
    return this.#s.tokens.save(tokenId, toJson(patch) as TokenPatch);
  }
  protected override rawUpdateToken(id: string, patch: TokenPatch, expect: TokenExpectation) {
    return this.#s.tokens.update(id, toJson(patch) as TokenPatch, expect);
  }
  protected rawGetToken(tokenId: string) {
    return this.#s.tokens.get(tokenId);
  }
  protected rawListTokens(query: TokenQuery) {
    return this.#s.tokens.list(query);
  }
  async deleteToken(tokenId: string) {
    return this.#s.tokens.delete(checkTokenId(tokenId));
  }
  protected rawPutSession(tokenId: string, s: { sessionToken: string; expiresAt: IsoDateTime }) {
    const expiresAt = checkIso(s.expiresAt, 'A session expiresAt');
    return this.#s.sessions.put(tokenId, { sessionToken: s.sessionToken, expiresAt });
  }
  protected rawGetSession(tokenId: string) {
    return this.#s.sessions.get(tokenId);
  }
  async deleteSession(tokenId: string) {
    return this.#s.sessions.delete(checkTokenId(tokenId));
  }
  async acquireLease(tokenId: string, owner: string, ttlMs: number) {
    checkLeaseArgs(owner, ttlMs);
    return this.#s.leases.acquire(checkTokenId(tokenId), owner, ttlMs);
  }
  async renewLease(tokenId: string, owner: string, generation: number, ttlMs: number) {
    checkLeaseArgs(owner, ttlMs);
    return this.#s.leases.renew(checkTokenId(tokenId), owner, generation, ttlMs);
  }
  async releaseLease(tokenId: string, owner: string, generation: number) {
    checkLeaseArgs(owner);
    return this.#s.leases.release(checkTokenId(tokenId), owner, generation);
  }
  async getLease(tokenId: string) {
    return this.#s.leases.get(checkTokenId(tokenId));
  }
  async getCursor(tokenId: string) {
    return this.#s.cursors.get(checkTokenId(tokenId));
  }
  async setCursor(input: SetCursorInput) {
    checkTokenId(input.tokenId);
    const at = input.lastFullFetchAt;
    return this.#s.cursors.set({
      ...input,
      lastFullFetchAt: at === undefined ? at : checkIso(at, 'lastFullFetchAt'),
    });
  }
  async resetCursor(tokenId: string) {
    return this.#s.cursors.reset(checkTokenId(tokenId));
  }
  async applyPage(input: ApplyPageInput) {
    checkTokenId(input.tokenId);
    const devices = collapsePage(input.devices).map((d) => toJson(d) as AdeDevice);
    const at = input.lastFullFetchAt;
    const lastFullFetchAt = at === undefined ? at : checkIso(at, 'lastFullFetchAt');
    return this.#s.cursors.applyPage({ ...input, devices, lastFullFetchAt }, pagePlans(input));
  }
  async getDevice(tokenId: string, serialNumber: string) {
    return this.#s.devices.get(checkTokenId(tokenId), checkSerial(serialNumber));
  }
  async getDevices(tokenId: string, serialNumbers: readonly string[]) {
    return this.#s.devices.getMany(checkTokenId(tokenId), serialNumbers);
  }
  async listDevices(tokenId: string, query: DeviceQuery = {}) {
    return this.#s.devices.list(checkTokenId(tokenId), query);
  }
  async countDevices(tokenId: string) {
    return this.#s.devices.count(checkTokenId(tokenId));
  }
  async findDeviceBySerial(serialNumber: string) {
    return this.#s.devices.findBySerial(checkSerial(serialNumber));
  }
  async updateDevices(tokenId: string, patches: readonly DevicePatch[], fence?: LeaseFence) {
    checkDevicePatches(patches);
    const iso = (v: string | null | undefined, what: string) =>
      v === undefined || v === null ? v : checkIso(v, what);
    const checked = patches.map((p) => ({
      ...p,
      assignedAt: iso(p.assignedAt, 'assignedAt'),
      enrolledAt: iso(p.enrolledAt, 'enrolledAt'),
      profileServedAt: iso(p.profileServedAt, 'profileServedAt'),
    }));
    return this.#s.devices.update(checkTokenId(tokenId), checked, fence);
  }
  async markMissingRemoved(input: MarkMissingInput) {
    checkTokenId(input.tokenId);
    return this.#s.devices.markMissingRemoved(input);
  }
  async getPolicy(tokenId: string) {
    return this.#s.policies.get(checkTokenId(tokenId));
  }
  async setPolicy(tokenId: string, policy: unknown) {
    return this.#s.policies.set(checkTokenId(tokenId), toJson(policy));
  }
  async recordAssignmentResults(
    tokenId: string,
    results: readonly AssignmentResultInput[],
    fence?: LeaseFence,
  ) {
    checkTokenId(tokenId);
    const at = await this.now();
    const plans = planAssignmentResults(results.map(normaliseResult), at);
    return this.#s.retries.record(tokenId, plans, at, fence);
  }
  async listDueRetries(tokenId: string, q: PageQuery & { now?: IsoDateTime | undefined } = {}) {
    const now = q.now === undefined ? await this.now() : checkIso(q.now, 'now');
    return this.#s.retries.listDue(checkTokenId(tokenId), { ...q, now });
  }
  async listRetries(tokenId: string, query: RetryQuery = {}) {
    return this.#s.retries.list(checkTokenId(tokenId), query);
  }
  async deleteRetries(tokenId: string, serialNumbers: readonly string[]) {
    return this.#s.retries.delete(checkTokenId(tokenId), [...new Set(serialNumbers)]);
  }
  async startSyncRun(tokenId: string, input: { owner?: string | undefined } = {}) {
    return this.#s.runs.start(checkTokenId(tokenId), input);
  }
  async finishSyncRun(
    tokenId: string,
    runId: string,
    result: {
      status: Exclude<SyncRunStatus, 'running'>;
      report?: Readonly<Record<string, unknown>> | undefined;
      error?: { code: string; message: string } | undefined;
    },
  ) {
    const report = result.report === undefined ? undefined : toJson(result.report);
    return this.#s.runs.finish(checkTokenId(tokenId), runId, {
      ...result,
      report: report as Record<string, unknown> | undefined,
    });
  }
  async listSyncRuns(tokenId: string, query: PageQuery = {}) {
    return this.#s.runs.list(checkTokenId(tokenId), query);
  }
  async pruneSyncRuns(tokenId: string, keep: number) {
    if (!Number.isInteger(keep) || keep < 0)
      throw new InvalidArgumentError('`keep` must be a non-negative integer.');
    return this.#s.runs.prune(checkTokenId(tokenId), keep);
  }
  async now() {
    return this.#s.now();
  }
  /** RedisStorage holds no connections of its own; the client is yours to quit. */
  async close() {
    return this.#s.close();
  }
}
