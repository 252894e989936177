import { normaliseResult, planAssignmentResults } from '../../domain/assignments.js';
import { collapsePage, emptyCounts, newRunId, opDateMs } from '../../domain/devices.js';
import { toJson } from '../../domain/json.js';
import { pagePlans } from '../../domain/pages.js';
import {
  checkDevicePatches,
  checkIso,
  checkLeaseArgs,
  checkSerial,
  checkTokenId,
} from '../../domain/validate.js';
import {
  CursorConflictError,
  InvalidArgumentError,
  LeaseLostError,
  StorageError,
} from '../../errors/index.js';
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
  PagePlanEntry,
  PageQuery,
  PolicyRecord,
  RetryQuery,
  SessionRecord,
  SetCursorInput,
  StorageCapabilities,
  SyncRunRecord,
  SyncRunStatus,
  TokenExpectation,
  TokenPatch,
  TokenQuery,
  TokenRecord,
} from '../types.js';
import { PostgresApiAccountStore } from './api-accounts.js';
import { iso, MIGRATIONS, NOW_ISO } from './migrations.js';
import type { PgClientLike, PgPoolLike, PgQueryResult } from './pg-types.js';
import {
  CURSOR_COLS,
  DEVICE_COLS,
  LEASE_COLS,
  RETRY_COLS,
  RUN_COLS,
  toCursor,
  toDevice,
  toRetry,
  toRun,
} from './rows.js';

/** Options of {@link PostgresStorage}. */
export interface PostgresStorageOptions extends StorageBaseOptions, FaultInjectionOptions {
  /** Your `pg` Pool (PostgresStorage never creates or closes connections). */
  pool: PgPoolLike;
  /** The schema to keep abmkit's tables in (default `abmkit`); created by `migrate()`. */
  schema?: string | undefined;
}

type Querier = Pick<PgClientLike, 'query'>;
type Row = Record<string, unknown>;

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
  readonly capabilities: StorageCapabilities = Object.freeze({
    crossProcessLeases: true,
    atomicPageApply: true,
    ttl: false,
    persistent: true,
  });

  readonly #pool: PgPoolLike;
  readonly #schemaName: string;
  readonly #s: string;

  constructor(options: PostgresStorageOptions) {
    super(options);
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
    this.#pool = pool;
    this.#schemaName = schema;
    this.#s = `"${schema}"`;
    this.apiAccounts = new PostgresApiAccountStore(pool, schema, this.secrets);
  }

  /** Business API accounts and token → server links (table `api_documents`). */
  readonly apiAccounts: PostgresApiAccountStore;

  /** The schema holding abmkit's tables. */
  get schema(): string {
    return this.#schemaName;
  }

  // --- plumbing --------------------------------------------------------------------------------

  async #q(sql: string, values: unknown[] = [], on: Querier = this.#pool): Promise<PgQueryResult> {
    try {
      return await on.query(sql, values);
    } catch (err) {
      throw new StorageError(
        `A PostgreSQL query failed (${(err as { code?: string }).code ?? 'no SQLSTATE'}); check the connection and that migrate() ran.`,
        { cause: err },
      );
    }
  }

  async #tx<T>(fn: (c: PgClientLike) => Promise<T>): Promise<T> {
    let client: PgClientLike;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw new StorageError('Could not get a PostgreSQL connection from the pool.', {
        cause: err,
      });
    }
    let broken: Error | undefined;
    try {
      await this.#q('BEGIN', [], client);
      const out = await fn(client);
      await this.#q('COMMIT', [], client);
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async #fence(c: Querier, fence: LeaseFence): Promise<void> {
    const r = await this.#q(
      `SELECT 1 FROM ${this.#s}.leases WHERE token_id = $1 AND generation = $2
         AND owner IS NOT NULL AND ($3::text IS NULL OR owner = $3)
         AND expires_at > now() FOR SHARE`,
      [fence.tokenId, fence.generation, fence.owner ?? null],
      c,
    );
    if (r.rows.length === 0) throw new LeaseLostError(fence.tokenId);
  }

  /**
   * Creates the schema and applies pending migrations in one transaction (serialised between
   * replicas by a transaction-scoped advisory lock). Safe to call on every start.
   * Returns the versions applied now.
   */
  async migrate(): Promise<number[]> {
    return this.#tx(async (c) => {
      await this.#q(
        'SELECT pg_advisory_xact_lock(hashtext($1))',
        [`abmkit:${this.#schemaName}`],
        c,
      );
      await this.#q(`CREATE SCHEMA IF NOT EXISTS ${this.#s}`, [], c);
      await this.#q(
        `CREATE TABLE IF NOT EXISTS ${this.#s}.abmkit_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
        [],
        c,
      );
      const done = new Set(
        (await this.#q(`SELECT version FROM ${this.#s}.abmkit_migrations`, [], c)).rows.map((r) =>
          Number(r['version']),
        ),
      );
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await this.#q(m.sql(this.#s), [], c);
        await this.#q(
          `INSERT INTO ${this.#s}.abmkit_migrations (version) VALUES ($1)`,
          [m.version],
          c,
        );
        applied.push(m.version);
      }
      return applied;
    });
  }

  async now(): Promise<IsoDateTime> {
    const r = await this.#q(`SELECT ${NOW_ISO} AS now`);
    return String(r.rows[0]?.['now']);
  }

  /** PostgresStorage holds no connections of its own; the pool is yours to end. */
  async close(): Promise<void> {}

  // --- tokens & sessions -----------------------------------------------------------------------

  #toToken(r: Row): TokenRecord {
    const doc = JSON.parse(String(r['doc'])) as Record<string, unknown>;
    return {
      ...doc,
      tokenId: String(r['token_id']),
      createdAt: String(r['created_at']),
      updatedAt: String(r['updated_at']),
    } as TokenRecord;
  }

  protected async rawSaveToken(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    const { set, remove } = splitTokenPatch(patch);
    const r = await this.#q(
      `INSERT INTO ${this.#s}.tokens AS t (token_id, customer_id, site_id, doc, created_at, updated_at)
       VALUES ($1, $2::jsonb->>'customerId', $2::jsonb->>'siteId', $2::jsonb, ${NOW_ISO}, ${NOW_ISO})
       ON CONFLICT (token_id) DO UPDATE SET
         doc = (t.doc || $2::jsonb) - $3::text[],
         customer_id = ((t.doc || $2::jsonb) - $3::text[])->>'customerId',
         site_id = ((t.doc || $2::jsonb) - $3::text[])->>'siteId',
         updated_at = ${NOW_ISO}
       RETURNING token_id, doc::text AS doc, created_at, updated_at`,
      [tokenId, JSON.stringify(toJson(set)), remove],
    );
    return this.#toToken(r.rows[0] as Row);
  }

  protected override async rawUpdateToken(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    const { set, remove } = splitTokenPatch(patch);
    const expected: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(expect)) expected[k] = v ?? null;
    // One statement: the row is updated only while every expected field holds its value.
    const r = await this.#q(
      `UPDATE ${this.#s}.tokens AS t SET
         doc = (t.doc || $2::jsonb) - $3::text[],
         customer_id = ((t.doc || $2::jsonb) - $3::text[])->>'customerId',
         site_id = ((t.doc || $2::jsonb) - $3::text[])->>'siteId',
         updated_at = ${NOW_ISO}
       WHERE t.token_id = $1 AND NOT EXISTS (
         SELECT 1 FROM jsonb_each($4::jsonb) AS e
         WHERE (t.doc -> e.key) IS DISTINCT FROM NULLIF(e.value, 'null'::jsonb))
       RETURNING token_id, doc::text AS doc, created_at, updated_at`,
      [tokenId, JSON.stringify(toJson(set)), remove, JSON.stringify(toJson(expected))],
    );
    return r.rows[0] ? this.#toToken(r.rows[0]) : null;
  }

  protected async rawGetToken(tokenId: string): Promise<TokenRecord | null> {
    const r = await this.#q(
      `SELECT token_id, doc::text AS doc, created_at, updated_at FROM ${this.#s}.tokens WHERE token_id = $1`,
      [tokenId],
    );
    return r.rows[0] ? this.#toToken(r.rows[0]) : null;
  }

  protected async rawListTokens(query: TokenQuery): Promise<Page<TokenRecord>> {
    const limit = pageLimit(query);
    const r = await this.#q(
      `SELECT token_id, doc::text AS doc, created_at, updated_at FROM ${this.#s}.tokens
       WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR site_id = $2)
         AND ($3::text IS NULL OR token_id > $3)
       ORDER BY token_id LIMIT $4`,
      [query.customerId ?? null, query.siteId ?? null, query.cursor ?? null, limit + 1],
    );
    const items = r.rows.slice(0, limit).map((row) => this.#toToken(row));
    return { items, nextCursor: r.rows.length > limit ? (items.at(-1)?.tokenId ?? null) : null };
  }

  async deleteToken(tokenId: string): Promise<boolean> {
    checkTokenId(tokenId);
    return this.#tx(async (c) => {
      let n = 0;
      // The lease row stays, released, so that generations never repeat for this token id.
      await this.#q(
        `UPDATE ${this.#s}.leases SET owner = NULL, expires_at = now() WHERE token_id = $1`,
        [tokenId],
        c,
      );
      for (const table of [
        'tokens',
        'sessions',
        'cursors',
        'devices',
        'policies',
        'retries',
        'sync_runs',
      ]) {
        const r = await this.#q(
          `DELETE FROM ${this.#s}.${table} WHERE token_id = $1`,
          [tokenId],
          c,
        );
        if (table === 'tokens' || table === 'devices' || table === 'cursors') n += r.rowCount ?? 0;
      }
      return n > 0;
    });
  }

  protected async rawPutSession(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void> {
    const expiresAt = checkIso(session.expiresAt, 'A session expiresAt');
    await this.#q(
      `INSERT INTO ${this.#s}.sessions (token_id, session_token, expires_at, updated_at)
       VALUES ($1, $2, $3::timestamptz, ${NOW_ISO})
       ON CONFLICT (token_id) DO UPDATE SET session_token = EXCLUDED.session_token,
         expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at`,
      [tokenId, session.sessionToken, expiresAt],
    );
  }

  protected async rawGetSession(tokenId: string): Promise<SessionRecord | null> {
    const r = await this.#q(
      `SELECT token_id, session_token, ${iso('expires_at')} AS expires_at, updated_at
       FROM ${this.#s}.sessions WHERE token_id = $1 AND expires_at > now()`,
      [tokenId],
    );
    const row = r.rows[0];
    if (!row) return null;
    return {
      tokenId,
      sessionToken: String(row['session_token']),
      expiresAt: String(row['expires_at']),
      updatedAt: String(row['updated_at']),
    };
  }

  async deleteSession(tokenId: string): Promise<void> {
    checkTokenId(tokenId);
    await this.#q(`DELETE FROM ${this.#s}.sessions WHERE token_id = $1`, [tokenId]);
  }

  // --- leases --------------------------------------------------------------------------------------

  #toLease(r: Row): LeaseGrant {
    return {
      tokenId: String(r['token_id']),
      owner: String(r['owner']),
      generation: Number(r['generation']),
      expiresAt: String(r['expires_at']),
    };
  }

  async acquireLease(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner, ttlMs);
    const r = await this.#q(
      `INSERT INTO ${this.#s}.leases AS l (token_id, owner, generation, expires_at)
       VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
       ON CONFLICT (token_id) DO UPDATE SET owner = EXCLUDED.owner,
         generation = l.generation + 1, expires_at = EXCLUDED.expires_at
       WHERE l.owner IS NULL OR l.owner = EXCLUDED.owner OR l.expires_at <= now()
       RETURNING ${LEASE_COLS}`,
      [tokenId, owner, ttlMs],
    );
    return r.rows[0] ? this.#toLease(r.rows[0]) : null;
  }

  async renewLease(
    tokenId: string,
    owner: string,
    generation: number,
    ttlMs: number,
  ): Promise<LeaseGrant> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner, ttlMs);
    const r = await this.#q(
      `UPDATE ${this.#s}.leases SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE token_id = $1 AND owner = $2 AND generation = $3 AND expires_at > now()
       RETURNING ${LEASE_COLS}`,
      [tokenId, owner, generation, ttlMs],
    );
    if (!r.rows[0]) throw new LeaseLostError(tokenId);
    return this.#toLease(r.rows[0]);
  }

  async releaseLease(tokenId: string, owner: string, generation: number): Promise<boolean> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner);
    const r = await this.#q(
      `UPDATE ${this.#s}.leases SET owner = NULL, expires_at = now()
       WHERE token_id = $1 AND owner = $2 AND generation = $3`,
      [tokenId, owner, generation],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async getLease(tokenId: string): Promise<LeaseGrant | null> {
    checkTokenId(tokenId);
    const r = await this.#q(
      `SELECT ${LEASE_COLS} FROM ${this.#s}.leases
       WHERE token_id = $1 AND owner IS NOT NULL AND expires_at > now()`,
      [tokenId],
    );
    return r.rows[0] ? this.#toLease(r.rows[0]) : null;
  }

  // --- cursors -------------------------------------------------------------------------------------

  async getCursor(tokenId: string): Promise<CursorRecord | null> {
    checkTokenId(tokenId);
    const r = await this.#q(`SELECT ${CURSOR_COLS} FROM ${this.#s}.cursors WHERE token_id = $1`, [
      tokenId,
    ]);
    return r.rows[0] ? toCursor(r.rows[0]) : null;
  }

  /** Lease check + cursor CAS inside transaction `c`. */
  async #casCursor(
    c: Querier,
    input: SetCursorInput | ApplyPageInput,
    cursor: string | null,
  ): Promise<CursorRecord> {
    await this.#fence(c, input);
    const setFf = input.fullFetchId !== undefined;
    const lastFull =
      input.lastFullFetchAt === undefined
        ? null
        : checkIso(input.lastFullFetchAt, 'lastFullFetchAt');
    const fetchedUntil = 'fetchedUntil' in input ? input.fetchedUntil : undefined;
    const values = [
      input.tokenId,
      input.expectedCursor,
      cursor,
      input.phase,
      setFf,
      setFf ? input.fullFetchId : null,
      lastFull,
      fetchedUntil !== undefined,
      fetchedUntil ?? null,
    ];
    const upd = await this.#q(
      `UPDATE ${this.#s}.cursors SET cursor = $3, phase = $4,
         full_fetch_id = CASE WHEN $5 THEN $6 ELSE full_fetch_id END,
         last_full_fetch_at = COALESCE($7, last_full_fetch_at),
         fetched_until = CASE WHEN $8 THEN $9 ELSE fetched_until END,
         updated_at = ${NOW_ISO}
       WHERE token_id = $1 AND cursor IS NOT DISTINCT FROM $2::text
       RETURNING ${CURSOR_COLS}`,
      values,
      c,
    );
    if (upd.rows[0]) return toCursor(upd.rows[0]);
    if (input.expectedCursor === null) {
      const ins = await this.#q(
        `INSERT INTO ${this.#s}.cursors (token_id, cursor, phase, full_fetch_id, last_full_fetch_at, fetched_until, updated_at)
         SELECT $1, $3, $4, CASE WHEN $5 THEN $6 END, $7, CASE WHEN $8 THEN $9 END, ${NOW_ISO}
         WHERE $2::text IS NULL
         ON CONFLICT (token_id) DO NOTHING
         RETURNING ${CURSOR_COLS}`,
        values,
        c,
      );
      if (ins.rows[0]) return toCursor(ins.rows[0]);
    }
    throw new CursorConflictError(input.tokenId);
  }

  async setCursor(input: SetCursorInput): Promise<CursorRecord> {
    checkTokenId(input.tokenId);
    return this.#tx((c) => this.#casCursor(c, input, input.cursor));
  }

  async resetCursor(tokenId: string): Promise<void> {
    checkTokenId(tokenId);
    await this.#q(
      `UPDATE ${this.#s}.cursors SET cursor = NULL, phase = 'full', full_fetch_id = NULL,
         fetched_until = NULL, updated_at = ${NOW_ISO} WHERE token_id = $1`,
      [tokenId],
    );
  }

  // --- devices -------------------------------------------------------------------------------------

  /** The page upsert statement (one round trip); exposed for the benchmark. @internal */
  upsertSql(): string {
    const s = this.#s;
    // x.plan is NULL for entries without a page plan and for deletions (see pageJson), so
    // EXCLUDED.plan_revision IS NOT NULL means "write the plan"; EXCLUDED.assigned_at likewise.
    return `INSERT INTO ${s}.devices AS d (token_id, serial, device, op_date, op_type, removed, removed_at,
    full_fetch_id, first_seen_at, updated_at, resolved_profile_uuid, unassigned_reason, plan_revision,
    assigned_profile_uuid, assigned_at)
  SELECT $1, serial, device, op_date, op_type, op_type IS NOT DISTINCT FROM 'deleted',
    CASE WHEN op_type = 'deleted' THEN $4 END, $3, $4, $4, resolved, reason, plan, assigned, assigned_at
  FROM jsonb_to_recordset($2::jsonb) AS x(serial text, device jsonb, op_date text, op_type text,
    plan integer, resolved text, reason text, assigned text, assigned_at text)
  ON CONFLICT (token_id, serial) DO UPDATE SET
    prev_removed = d.removed,
    device = CASE WHEN EXCLUDED.removed THEN d.device || EXCLUDED.device ELSE EXCLUDED.device END,
    op_date = COALESCE(EXCLUDED.op_date, d.op_date),
    op_type = COALESCE(EXCLUDED.op_type, d.op_type),
    removed = EXCLUDED.removed,
    removed_at = CASE WHEN NOT EXCLUDED.removed THEN NULL WHEN d.removed THEN d.removed_at ELSE EXCLUDED.removed_at END,
    resolved_profile_uuid = CASE WHEN EXCLUDED.plan_revision IS NULL THEN d.resolved_profile_uuid ELSE EXCLUDED.resolved_profile_uuid END,
    unassigned_reason = CASE WHEN EXCLUDED.plan_revision IS NULL THEN d.unassigned_reason ELSE EXCLUDED.unassigned_reason END,
    plan_revision = COALESCE(EXCLUDED.plan_revision, d.plan_revision),
    assigned_profile_uuid = CASE WHEN EXCLUDED.removed THEN NULL WHEN EXCLUDED.assigned_at IS NOT NULL THEN EXCLUDED.assigned_profile_uuid ELSE d.assigned_profile_uuid END,
    assigned_at = CASE WHEN EXCLUDED.removed THEN NULL ELSE COALESCE(EXCLUDED.assigned_at, d.assigned_at) END,
    full_fetch_id = COALESCE(EXCLUDED.full_fetch_id, d.full_fetch_id),
    updated_at = EXCLUDED.updated_at
  WHERE EXCLUDED.op_date IS NULL OR d.op_date IS NULL OR EXCLUDED.op_date >= d.op_date
  RETURNING d.serial, d.removed, (d.xmax = 0) AS inserted, COALESCE(d.prev_removed, false) AS was_removed`;
  }

  /**
   * The JSON parameter of {@link PostgresStorage.upsertSql} for a collapsed page, with the
   * page plans of entries that do not delete. @internal
   */
  pageJson(
    entries: readonly AdeDevice[],
    plans: ReadonlyMap<string, PagePlanEntry> = new Map(),
  ): string {
    return JSON.stringify(
      entries.map((d) => {
        const ms = opDateMs(d);
        const opType = typeof d.op_type === 'string' ? d.op_type : null;
        const plan = opType === 'deleted' ? undefined : plans.get(d.serial_number);
        const row: Record<string, unknown> = {
          serial: d.serial_number,
          device: d,
          op_date: ms === null ? null : new Date(ms).toISOString(),
          op_type: opType,
        };
        if (plan !== undefined) {
          row['plan'] = plan.planRevision;
          row['resolved'] = plan.resolvedProfileUuid;
          row['reason'] = plan.unassignedReason;
          if (plan.assignedAt !== undefined) {
            row['assigned'] = plan.assignedProfileUuid;
            row['assigned_at'] = plan.assignedAt;
          }
        }
        return row;
      }),
    );
  }

  async applyPage(input: ApplyPageInput): Promise<ApplyPageResult> {
    const tokenId = checkTokenId(input.tokenId);
    const entries = collapsePage(input.devices);
    const json = this.pageJson(entries, pagePlans(input));
    return this.#tx(async (c) => {
      const cursor = await this.#casCursor(c, input, input.nextCursor);
      const result: ApplyPageResult = { added: [], modified: [], removed: [], skipped: [], cursor };
      if (entries.length > 0) {
        const nowIso = cursor.updatedAt;
        const r = await this.#q(
          this.upsertSql(),
          [tokenId, json, input.fullFetchId ?? null, nowIso],
          c,
        );
        const applied = new Map<string, Row>();
        for (const row of r.rows) applied.set(String(row['serial']), row);
        for (const d of entries) {
          const row = applied.get(d.serial_number);
          if (row === undefined) {
            result.skipped.push(d.serial_number);
          } else if (row['removed'] === true) {
            if (row['inserted'] !== true && row['was_removed'] !== true)
              result.removed.push(d.serial_number);
          } else if (row['inserted'] === true || row['was_removed'] === true) {
            result.added.push(d.serial_number);
          } else {
            result.modified.push(d.serial_number);
          }
        }
      }
      await this.injectFault('applyPage', tokenId);
      return result;
    });
  }

  async getDevice(tokenId: string, serialNumber: string): Promise<DeviceRecord | null> {
    checkTokenId(tokenId);
    checkSerial(serialNumber);
    const r = await this.#q(
      `SELECT ${DEVICE_COLS} FROM ${this.#s}.devices WHERE token_id = $1 AND serial = $2`,
      [tokenId, serialNumber],
    );
    return r.rows[0] ? toDevice(r.rows[0]) : null;
  }

  async getDevices(tokenId: string, serialNumbers: readonly string[]): Promise<DeviceRecord[]> {
    checkTokenId(tokenId);
    // One primary-key probe per serial, whatever the statistics say: with `serial = ANY(…)` (or a
    // plain join) a table not yet analysed after a large first sync gets a scan of every device of
    // the token (measured 16-150 ms for 1000 serials among 100,000; 2 ms this way). The LIMIT keeps
    // the planner from flattening the lateral subquery into a hash join.
    const r = await this.#q(
      `SELECT d.* FROM unnest($2::text[]) AS s(serial) CROSS JOIN LATERAL (
         SELECT ${DEVICE_COLS} FROM ${this.#s}.devices WHERE token_id = $1 AND serial = s.serial LIMIT 1
       ) d`,
      [tokenId, [...new Set(serialNumbers)]],
    );
    return r.rows.map(toDevice);
  }

  async listDevices(tokenId: string, query: DeviceQuery = {}): Promise<Page<DeviceRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const values: unknown[] = [tokenId];
    const where = ['token_id = $1'];
    const param = (v: unknown): string => {
      values.push(v);
      return `$${values.length}`;
    };
    if (query.status !== undefined) {
      const list = typeof query.status === 'string' ? [query.status] : [...query.status];
      where.push(
        list.length === 1 ? `status = ${param(list[0])}` : `status = ANY(${param(list)}::text[])`,
      );
    } else if (query.includeRemoved !== true) {
      where.push('NOT removed');
    }
    if (query.unresolved === true) where.push('NOT removed AND resolved_profile_uuid IS NULL');
    if (query.pendingAssignment === true) {
      where.push(`NOT removed AND resolved_profile_uuid IS NOT NULL
        AND resolved_profile_uuid IS DISTINCT FROM device->>'profile_uuid'
        AND resolved_profile_uuid IS DISTINCT FROM assigned_profile_uuid
        AND NOT EXISTS (SELECT 1 FROM ${this.#s}.retries r WHERE r.token_id = devices.token_id AND r.serial = devices.serial)`);
    }
    if (query.planRevisionNot !== undefined) {
      where.push(
        `NOT removed AND plan_revision IS DISTINCT FROM ${param(query.planRevisionNot)}::integer`,
      );
    }
    if (query.cursor !== undefined) where.push(`serial > ${param(query.cursor)}`);
    const r = await this.#q(
      `SELECT ${DEVICE_COLS} FROM ${this.#s}.devices WHERE ${where.join(' AND ')}
       ORDER BY serial LIMIT ${param(limit + 1)}`,
      values,
    );
    const items = r.rows.slice(0, limit).map(toDevice);
    return {
      items,
      nextCursor: r.rows.length > limit ? (items.at(-1)?.serialNumber ?? null) : null,
    };
  }

  async countDevices(tokenId: string): Promise<Record<DeviceStatus, number>> {
    checkTokenId(tokenId);
    const r = await this.#q(
      `SELECT status, count(*)::int AS n FROM ${this.#s}.devices WHERE token_id = $1 GROUP BY status`,
      [tokenId],
    );
    const counts = emptyCounts();
    for (const row of r.rows) counts[String(row['status']) as DeviceStatus] = Number(row['n']);
    return counts;
  }

  async findDeviceBySerial(serialNumber: string): Promise<DeviceRecord[]> {
    checkSerial(serialNumber);
    const r = await this.#q(
      `SELECT ${DEVICE_COLS} FROM ${this.#s}.devices WHERE serial = $1 ORDER BY removed, updated_at DESC`,
      [serialNumber],
    );
    return r.rows.map(toDevice);
  }

  async updateDevices(
    tokenId: string,
    patches: readonly DevicePatch[],
    fence?: LeaseFence,
  ): Promise<number> {
    checkTokenId(tokenId);
    checkDevicePatches(patches);
    const merged = new Map<string, Record<string, unknown>>();
    for (const p of patches) {
      const m = merged.get(p.serialNumber) ?? { serial: p.serialNumber };
      const put = (flag: string, key: string, v: unknown) => {
        if (v === undefined) return;
        m[flag] = true;
        m[key] = v;
      };
      put('has_resolved', 'resolved', p.resolvedProfileUuid);
      put('has_reason', 'reason', p.unassignedReason);
      put('has_plan', 'plan', p.planRevision);
      put('has_assigned', 'assigned', p.assignedProfileUuid);
      put(
        'has_assigned_at',
        'assigned_at',
        p.assignedAt === undefined || p.assignedAt === null
          ? p.assignedAt
          : checkIso(p.assignedAt, 'assignedAt'),
      );
      put(
        'has_enrolled',
        'enrolled',
        p.enrolledAt === undefined || p.enrolledAt === null
          ? p.enrolledAt
          : checkIso(p.enrolledAt, 'enrolledAt'),
      );
      put(
        'has_served',
        'served',
        p.profileServedAt === undefined || p.profileServedAt === null
          ? p.profileServedAt
          : checkIso(p.profileServedAt, 'profileServedAt'),
      );
      merged.set(p.serialNumber, m);
    }
    if (merged.size === 0) {
      // Nothing to write, but a fenced call still proves the lease (as on every adapter).
      if (fence !== undefined) await this.#tx((c) => this.#fence(c, { ...fence, tokenId }));
      return 0;
    }
    const sql = `UPDATE ${this.#s}.devices d SET
        resolved_profile_uuid = CASE WHEN p.has_resolved THEN p.resolved ELSE d.resolved_profile_uuid END,
        unassigned_reason = CASE WHEN p.has_reason THEN p.reason ELSE d.unassigned_reason END,
        plan_revision = CASE WHEN p.has_plan THEN p.plan ELSE d.plan_revision END,
        assigned_profile_uuid = CASE WHEN p.has_assigned THEN p.assigned ELSE d.assigned_profile_uuid END,
        assigned_at = CASE WHEN p.has_assigned_at THEN p.assigned_at ELSE d.assigned_at END,
        enrolled_at = CASE WHEN p.has_enrolled THEN p.enrolled ELSE d.enrolled_at END,
        profile_served_at = CASE WHEN p.has_served THEN p.served ELSE d.profile_served_at END,
        updated_at = ${NOW_ISO}
      FROM jsonb_to_recordset($2::jsonb) AS p(serial text, has_resolved boolean, resolved text,
        has_reason boolean, reason text, has_plan boolean, plan integer, has_assigned boolean,
        assigned text, has_assigned_at boolean, assigned_at text, has_enrolled boolean, enrolled text,
        has_served boolean, served text)
      WHERE d.token_id = $1 AND d.serial = p.serial`;
    const values = [tokenId, JSON.stringify([...merged.values()])];
    if (fence === undefined) return (await this.#q(sql, values)).rowCount ?? 0;
    return this.#tx(async (c) => {
      await this.#fence(c, { ...fence, tokenId });
      return (await this.#q(sql, values, c)).rowCount ?? 0;
    });
  }

  async markMissingRemoved(input: MarkMissingInput): Promise<string[]> {
    checkTokenId(input.tokenId);
    return this.#tx(async (c) => {
      await this.#fence(c, input);
      const r = await this.#q(
        `UPDATE ${this.#s}.devices SET removed = true, removed_at = ${NOW_ISO},
           assigned_profile_uuid = NULL, assigned_at = NULL, updated_at = ${NOW_ISO}
         WHERE token_id = $1 AND NOT removed AND full_fetch_id IS DISTINCT FROM $2
         RETURNING serial`,
        [input.tokenId, input.fullFetchId],
        c,
      );
      return r.rows.map((row) => String(row['serial'])).sort();
    });
  }

  // --- policy --------------------------------------------------------------------------------------

  async getPolicy(tokenId: string): Promise<PolicyRecord | null> {
    checkTokenId(tokenId);
    const r = await this.#q(
      `SELECT token_id, policy::text AS policy, revision, updated_at FROM ${this.#s}.policies WHERE token_id = $1`,
      [tokenId],
    );
    const row = r.rows[0];
    return row ? this.#toPolicy(row) : null;
  }

  #toPolicy(row: Row): PolicyRecord {
    return {
      tokenId: String(row['token_id']),
      policy: JSON.parse(String(row['policy'])) as unknown,
      revision: Number(row['revision']),
      updatedAt: String(row['updated_at']),
    };
  }

  async setPolicy(tokenId: string, policy: unknown): Promise<PolicyRecord> {
    checkTokenId(tokenId);
    const json = JSON.stringify(toJson(policy));
    const r = await this.#q(
      `INSERT INTO ${this.#s}.policies AS p (token_id, policy, revision, updated_at)
       VALUES ($1, $2::jsonb, 1, ${NOW_ISO})
       ON CONFLICT (token_id) DO UPDATE SET policy = EXCLUDED.policy,
         revision = p.revision + 1, updated_at = EXCLUDED.updated_at
       RETURNING token_id, policy::text AS policy, revision, updated_at`,
      [tokenId, json],
    );
    return this.#toPolicy(r.rows[0] as Row);
  }

  // --- assignments ----------------------------------------------------------------------------------

  async recordAssignmentResults(
    tokenId: string,
    results: readonly AssignmentResultInput[],
    fence?: LeaseFence,
  ): Promise<void> {
    checkTokenId(tokenId);
    const normalised = results.map(normaliseResult);
    if (normalised.length === 0 && fence === undefined) return;
    await this.#tx(async (c) => {
      if (fence !== undefined) await this.#fence(c, { ...fence, tokenId });
      const nowIso = await this.#nowIn(c);
      const plans = planAssignmentResults(normalised, nowIso);
      const successes = plans.filter((p) => p.success !== null);
      if (successes.length > 0) {
        await this.#q(
          `UPDATE ${this.#s}.devices d SET assigned_profile_uuid = p.profile, assigned_at = p.at, updated_at = $3
           FROM jsonb_to_recordset($2::jsonb) AS p(serial text, profile text, at text)
           WHERE d.token_id = $1 AND d.serial = p.serial`,
          [
            tokenId,
            JSON.stringify(
              successes.map((p) => ({
                serial: p.serial,
                profile: p.success?.profileUuid,
                at: p.success?.at,
              })),
            ),
            nowIso,
          ],
          c,
        );
      }
      const cleared = plans.filter((p) => p.retry === null || p.retry.reset).map((p) => p.serial);
      if (cleared.length > 0) {
        await this.#q(
          `DELETE FROM ${this.#s}.retries WHERE token_id = $1 AND serial = ANY($2::text[])`,
          [tokenId, cleared],
          c,
        );
      }
      const retries = plans.filter((p) => p.retry !== null);
      if (retries.length > 0) {
        await this.#q(
          `INSERT INTO ${this.#s}.retries AS r (token_id, serial, profile_uuid, status, attempts, next_attempt_at, last_error, updated_at)
           SELECT $1, serial, profile, status, inc, next_at, err, $3
           FROM jsonb_to_recordset($2::jsonb) AS p(serial text, profile text, status text, inc integer, reset boolean, next_at text, err text)
           ON CONFLICT (token_id, serial) DO UPDATE SET profile_uuid = EXCLUDED.profile_uuid,
             status = EXCLUDED.status, next_attempt_at = EXCLUDED.next_attempt_at,
             last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at,
             attempts = r.attempts + EXCLUDED.attempts`,
          [
            tokenId,
            JSON.stringify(
              retries.map((p) => ({
                serial: p.serial,
                profile: p.retry?.profileUuid,
                status: p.retry?.status,
                inc: p.retry?.increment,
                next_at: p.retry?.nextAttemptAt,
                err: p.retry?.lastError,
              })),
            ),
            nowIso,
          ],
          c,
        );
      }
    });
  }

  async #nowIn(c: Querier): Promise<string> {
    const r = await this.#q(`SELECT ${NOW_ISO} AS now`, [], c);
    return String(r.rows[0]?.['now']);
  }

  async listDueRetries(
    tokenId: string,
    query: PageQuery & { now?: IsoDateTime | undefined } = {},
  ): Promise<Page<AssignmentRetryRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const after = query.cursor === undefined ? null : decodeRetryCursor(query.cursor);
    const now = query.now === undefined ? await this.now() : checkIso(query.now, 'now');
    const r = await this.#q(
      `SELECT ${RETRY_COLS} FROM ${this.#s}.retries
       WHERE token_id = $1 AND next_attempt_at IS NOT NULL AND next_attempt_at <= $2
         AND ($3::text IS NULL OR (next_attempt_at, serial) > ($3::text, $4::text))
       ORDER BY next_attempt_at, serial LIMIT $5`,
      [tokenId, now, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    const items = r.rows.slice(0, limit).map(toRetry);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        r.rows.length > limit && last
          ? encodeCursor([last.nextAttemptAt as string, last.serialNumber])
          : null,
    };
  }

  async listRetries(tokenId: string, query: RetryQuery = {}): Promise<Page<AssignmentRetryRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const r = await this.#q(
      `SELECT ${RETRY_COLS} FROM ${this.#s}.retries
       WHERE token_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR serial > $3)
       ORDER BY serial LIMIT $4`,
      [tokenId, query.status ?? null, query.cursor ?? null, limit + 1],
    );
    const items = r.rows.slice(0, limit).map(toRetry);
    return {
      items,
      nextCursor: r.rows.length > limit ? (items.at(-1)?.serialNumber ?? null) : null,
    };
  }

  async deleteRetries(tokenId: string, serialNumbers: readonly string[]): Promise<number> {
    checkTokenId(tokenId);
    const r = await this.#q(
      `DELETE FROM ${this.#s}.retries WHERE token_id = $1 AND serial = ANY($2::text[])`,
      [tokenId, [...new Set(serialNumbers)]],
    );
    return r.rowCount ?? 0;
  }

  // --- sync runs -----------------------------------------------------------------------------------

  async startSyncRun(
    tokenId: string,
    input: { owner?: string | undefined } = {},
  ): Promise<SyncRunRecord> {
    checkTokenId(tokenId);
    const r = await this.#q(
      `INSERT INTO ${this.#s}.sync_runs (token_id, run_id, owner, status, started_at)
       VALUES ($1, $2, $3, 'running', ${NOW_ISO}) RETURNING ${RUN_COLS}`,
      [tokenId, newRunId(Date.now()), input.owner ?? null],
    );
    return toRun(r.rows[0] as Row);
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
    const r = await this.#q(
      `UPDATE ${this.#s}.sync_runs SET status = $3, finished_at = ${NOW_ISO}, report = $4::jsonb, error = $5::jsonb
       WHERE token_id = $1 AND run_id = $2 RETURNING ${RUN_COLS}`,
      [
        tokenId,
        runId,
        result.status,
        result.report === undefined ? null : JSON.stringify(toJson(result.report)),
        result.error === undefined
          ? null
          : JSON.stringify({ code: result.error.code, message: result.error.message }),
      ],
    );
    return r.rows[0] ? toRun(r.rows[0]) : null;
  }

  async listSyncRuns(tokenId: string, query: PageQuery = {}): Promise<Page<SyncRunRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const r = await this.#q(
      `SELECT ${RUN_COLS} FROM ${this.#s}.sync_runs WHERE token_id = $1 AND ($2::text IS NULL OR run_id < $2)
       ORDER BY run_id DESC LIMIT $3`,
      [tokenId, query.cursor ?? null, limit + 1],
    );
    const items = r.rows.slice(0, limit).map(toRun);
    return { items, nextCursor: r.rows.length > limit ? (items.at(-1)?.runId ?? null) : null };
  }

  async pruneSyncRuns(tokenId: string, keep: number): Promise<number> {
    checkTokenId(tokenId);
    if (!Number.isInteger(keep) || keep < 0)
      throw new InvalidArgumentError('`keep` must be a non-negative integer.');
    const r = await this.#q(
      `DELETE FROM ${this.#s}.sync_runs WHERE token_id = $1 AND run_id NOT IN
         (SELECT run_id FROM ${this.#s}.sync_runs WHERE token_id = $1 ORDER BY run_id DESC LIMIT $2)`,
      [tokenId, keep],
    );
    return r.rowCount ?? 0;
  }
}

/** A token patch as `set` (fields to merge into the document) and `remove` (fields set to `null`). */
function splitTokenPatch(patch: TokenPatch): { set: Record<string, unknown>; remove: string[] } {
  const set: Record<string, unknown> = {};
  const remove: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'tokenId' || k === 'createdAt' || k === 'updatedAt' || v === undefined) continue;
    if (v === null) remove.push(k);
    else set[k] = v;
  }
  return { set, remove };
}
