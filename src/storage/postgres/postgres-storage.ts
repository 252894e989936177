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
import type { StorageAdapter } from '../adapter.js';
import { FaultableStorage, type FaultInjectionOptions } from '../shared/faults.js';
import type { StorageBaseOptions } from '../storage-base.js';
import type * as T from '../types.js';
import { PostgresApiAccountStore, PostgresApiDocuments } from './api-accounts.js';
import { PostgresCursorPages } from './cursor-pages.js';
import { PostgresDevices } from './devices.js';
import { PostgresLeases } from './leases.js';
import { migrate } from './migrations.js';
import type { PgPoolLike } from './pg-types.js';
import { PostgresPolicies } from './policy.js';
import { PgDb } from './query.js';
import { PostgresRetries } from './retries.js';
import { PostgresRuns } from './runs.js';
import { PostgresSessions } from './sessions.js';
import { PostgresTokens } from './tokens.js';

/** Options of {@link PostgresStorage}. */
export interface PostgresStorageOptions extends StorageBaseOptions, FaultInjectionOptions {
  /** Your `pg` Pool (PostgresStorage never creates or closes connections). */
  pool: PgPoolLike;
  /** The schema to keep abmkit's tables in (default `abmkit`); created by `migrate()`. */
  schema?: string | undefined;
}

/** The PostgreSQL stores over `db`, one per concern. @internal */
export function postgresAdapter(db: PgDb, options: FaultInjectionOptions = {}): StorageAdapter {
  return {
    capabilities: Object.freeze({
      crossProcessLeases: true,
      atomicPageApply: true,
      ttl: false,
      persistent: true,
    }),
    tokens: new PostgresTokens(db),
    sessions: new PostgresSessions(db),
    leases: new PostgresLeases(db),
    cursors: new PostgresCursorPages(db, options.faultInjection),
    devices: new PostgresDevices(db),
    retries: new PostgresRetries(db),
    runs: new PostgresRuns(db),
    policies: new PostgresPolicies(db),
    apiAccounts: new PostgresApiDocuments(db.pool, db.schema),
    now: () => db.now(),
    // PostgresStorage holds no connections of its own; the pool is the embedder's to end.
    close: async () => {},
  };
}

/** Checks the options of {@link PostgresStorage}; the pool and the schema name. */
function checkOptions(options: PostgresStorageOptions): { pool: PgPoolLike; schema: string } {
  const pool = options?.pool as PgPoolLike | undefined;
  if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new InvalidArgumentError(
      'PostgresStorage needs `pool`: a `pg` Pool (npm install pg; new pg.Pool({ connectionString })).',
    );
  }
  const schema = options.schema ?? 'abmkit';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new InvalidArgumentError(
      `Schema name "${schema}" is not allowed; use letters, digits and underscores (max 63).`,
    );
  }
  return { pool, schema };
}

/**
 * PostgreSQL storage over the embedder's `pg` Pool, for one or many replicas.
 *
 * - Run `await storage.migrate()` once at startup: versioned migrations in
 *   `<schema>.abmkit_migrations`; nothing happens at import or construction.
 * - A page of devices is one `INSERT … ON CONFLICT … WHERE <op_date guard>` statement, in the same
 *   transaction as the lease check (`FOR SHARE`, so a take-over waits) and the cursor
 *   compare-and-set: all or nothing.
 * - Leases live in a table and use the database clock; no session advisory locks (PgBouncer safe).
 */
export class PostgresStorage extends FaultableStorage {
  /** {@inheritDoc AbmStorage.capabilities} */
  readonly capabilities: T.StorageCapabilities;
  /** Business API accounts and token → server links (table `api_documents`). */
  readonly apiAccounts: PostgresApiAccountStore;
  readonly #db: PgDb;
  readonly #a: StorageAdapter;

  constructor(options: PostgresStorageOptions) {
    const { pool, schema } = checkOptions(options);
    super(options);
    this.#db = new PgDb(pool, schema);
    this.#a = postgresAdapter(this.#db, options);
    this.capabilities = this.#a.capabilities;
    this.apiAccounts = new PostgresApiAccountStore(pool, schema, this.secrets);
  }

  /** The schema holding abmkit's tables. */
  get schema(): string {
    return this.#db.schema;
  }

  /**
   * Creates the schema and applies pending migrations in one transaction (serialised between
   * replicas by a transaction-scoped advisory lock). Safe to call on every start.
   * Returns the versions applied now.
   */
  migrate(): Promise<number[]> {
    return migrate(this.#db);
  }

  // --- bridge to the per-store persistence (until the new front takes these checks over) ---

  protected rawSaveToken(id: string, patch: T.TokenPatch) {
    return this.#a.tokens.save(id, toJson(patch) as T.TokenPatch);
  }
  protected override rawUpdateToken(id: string, patch: T.TokenPatch, e: T.TokenExpectation) {
    return this.#a.tokens.update(id, toJson(patch) as T.TokenPatch, e);
  }
  protected rawGetToken(id: string) {
    return this.#a.tokens.get(id);
  }
  protected rawListTokens(query: T.TokenQuery) {
    return this.#a.tokens.list(query);
  }
  async deleteToken(id: string) {
    return this.#a.tokens.delete(checkTokenId(id));
  }
  protected rawPutSession(id: string, s: { sessionToken: string; expiresAt: string }) {
    const expiresAt = checkIso(s.expiresAt, 'A session expiresAt');
    return this.#a.sessions.put(id, { sessionToken: s.sessionToken, expiresAt });
  }
  protected rawGetSession(id: string) {
    return this.#a.sessions.get(id);
  }
  async deleteSession(id: string) {
    return this.#a.sessions.delete(checkTokenId(id));
  }
  async acquireLease(id: string, owner: string, ttlMs: number) {
    checkLeaseArgs(owner, ttlMs);
    return this.#a.leases.acquire(checkTokenId(id), owner, ttlMs);
  }
  async renewLease(id: string, owner: string, generation: number, ttlMs: number) {
    checkLeaseArgs(owner, ttlMs);
    return this.#a.leases.renew(checkTokenId(id), owner, generation, ttlMs);
  }
  async releaseLease(id: string, owner: string, generation: number) {
    checkLeaseArgs(owner);
    return this.#a.leases.release(checkTokenId(id), owner, generation);
  }
  async getLease(id: string) {
    return this.#a.leases.get(checkTokenId(id));
  }
  async getCursor(id: string) {
    return this.#a.cursors.get(checkTokenId(id));
  }
  async setCursor(input: T.SetCursorInput) {
    checkTokenId(input.tokenId);
    return this.#a.cursors.set({ ...input, ...lastFull(input) });
  }
  async resetCursor(id: string) {
    return this.#a.cursors.reset(checkTokenId(id));
  }
  async applyPage(input: T.ApplyPageInput) {
    checkTokenId(input.tokenId);
    const devices = collapsePage(input.devices);
    return this.#a.cursors.applyPage({ ...input, ...lastFull(input), devices }, pagePlans(input));
  }
  async getDevice(id: string, serial: string) {
    return this.#a.devices.get(checkTokenId(id), checkSerial(serial));
  }
  async getDevices(id: string, serials: readonly string[]) {
    return this.#a.devices.getMany(checkTokenId(id), serials);
  }
  async listDevices(id: string, query: T.DeviceQuery = {}) {
    return this.#a.devices.list(checkTokenId(id), query);
  }
  async countDevices(id: string) {
    return this.#a.devices.count(checkTokenId(id));
  }
  async findDeviceBySerial(serial: string) {
    return this.#a.devices.findBySerial(checkSerial(serial));
  }
  async updateDevices(id: string, patches: readonly T.DevicePatch[], fence?: T.LeaseFence) {
    checkTokenId(id);
    checkDevicePatches(patches);
    const iso = (v: string | null | undefined, what: string) =>
      v === undefined || v === null ? v : checkIso(v, what);
    const normalised = patches.map((p) => ({
      ...p,
      assignedAt: iso(p.assignedAt, 'assignedAt'),
      enrolledAt: iso(p.enrolledAt, 'enrolledAt'),
      profileServedAt: iso(p.profileServedAt, 'profileServedAt'),
    }));
    return this.#a.devices.update(id, normalised, fence);
  }
  async markMissingRemoved(input: T.MarkMissingInput) {
    checkTokenId(input.tokenId);
    return this.#a.devices.markMissingRemoved(input);
  }
  async getPolicy(id: string) {
    return this.#a.policies.get(checkTokenId(id));
  }
  async setPolicy(id: string, policy: unknown) {
    return this.#a.policies.set(checkTokenId(id), toJson(policy));
  }
  async recordAssignmentResults(
    id: string,
    results: readonly T.AssignmentResultInput[],
    fence?: T.LeaseFence,
  ) {
    checkTokenId(id);
    const normalised = results.map(normaliseResult);
    if (normalised.length === 0 && fence === undefined) return;
    const at = await this.now();
    return this.#a.retries.record(id, planAssignmentResults(normalised, at), at, fence);
  }
  async listDueRetries(id: string, query: T.PageQuery & { now?: string | undefined } = {}) {
    checkTokenId(id);
    const now = query.now === undefined ? await this.now() : checkIso(query.now, 'now');
    return this.#a.retries.listDue(id, { ...query, now });
  }
  async listRetries(id: string, query: T.RetryQuery = {}) {
    return this.#a.retries.list(checkTokenId(id), query);
  }
  async deleteRetries(id: string, serials: readonly string[]) {
    return this.#a.retries.delete(checkTokenId(id), serials);
  }
  async startSyncRun(id: string, input: { owner?: string | undefined } = {}) {
    return this.#a.runs.start(checkTokenId(id), input);
  }
  async finishSyncRun(
    id: string,
    runId: string,
    result: Parameters<T.AbmStorage['finishSyncRun']>[2],
  ) {
    const report =
      result.report === undefined ? undefined : (toJson(result.report) as Record<string, unknown>);
    return this.#a.runs.finish(checkTokenId(id), runId, { ...result, report });
  }
  async listSyncRuns(id: string, query: T.PageQuery = {}) {
    return this.#a.runs.list(checkTokenId(id), query);
  }
  async pruneSyncRuns(id: string, keep: number) {
    checkTokenId(id);
    if (!Number.isInteger(keep) || keep < 0)
      throw new InvalidArgumentError('`keep` must be a non-negative integer.');
    return this.#a.runs.prune(id, keep);
  }
  now() {
    return this.#a.now();
  }
  close() {
    return this.#a.close();
  }
}

function lastFull(input: { lastFullFetchAt?: string | undefined }) {
  return input.lastFullFetchAt === undefined
    ? {}
    : { lastFullFetchAt: checkIso(input.lastFullFetchAt, 'lastFullFetchAt') };
}
