import { createHash } from 'node:crypto';
import { LeaseLostError, StorageError } from '../../errors/index.js';
import type { IsoDateTime, LeaseFence, Page } from '../types.js';
import { NOW_ISO } from './migrations.js';
import type { PgClientLike, PgPoolLike, PgQueryResult } from './pg-types.js';

/** Anything that runs a query: the pool, or a client checked out for a transaction. @internal */
export type Querier = Pick<PgClientLike, 'query'>;

/** A result row. @internal */
export type Row = Record<string, unknown>;

/**
 * What every PostgreSQL store shares: the pool, the quoted schema, queries that fail as
 * `StorageError`, transactions, the lease fence and the database clock. @internal
 */
export class PgDb {
  /** The embedder's pool. */
  readonly pool: PgPoolLike;
  /** The schema name, unquoted. */
  readonly schema: string;
  /** The schema name, quoted for SQL (`"abmkit"`). */
  readonly s: string;

  /** Prepared statement names by SQL text (`null`: statements are not prepared). */
  readonly #names: Map<string, string> | null;
  /** Statement texts built once per shape ({@link PgDb.text}). */
  readonly #texts = new Map<string, string>();

  constructor(pool: PgPoolLike, schema: string, preparedStatements = true) {
    this.pool = pool;
    this.schema = schema;
    this.s = `"${schema}"`;
    this.#names = preparedStatements ? new Map() : null;
  }

  /**
   * Runs one statement on `on` (the pool by default). A parameterised statement is prepared
   * (parsed and planned once per connection, then sent by name) unless `preparedStatements` is
   * off; its name is derived from its text, so one name never stands for two texts.
   *
   * A schema change that changes what a prepared statement returns (a migration run by another
   * replica, say) makes PostgreSQL refuse that statement on every connection that prepared it
   * ("cached plan must not change result type"), before running it. The statement then gets a
   * new name, prepared afresh on each connection, and is sent again once (outside a transaction;
   * inside one, the transaction fails as it would have, and the next call uses the new name).
   */
  async q(sql: string, values: unknown[] = [], on: Querier = this.pool): Promise<PgQueryResult> {
    try {
      const names = this.#names;
      if (names === null || values.length === 0) return await on.query(sql, values);
      const name = this.#nameOf(sql, names);
      try {
        return await on.query({ name, text: sql, values });
      } catch (err) {
        if (!isStalePlan(err)) throw err;
        names.set(sql, renamed(name));
        if (on !== this.pool) throw err;
        return await on.query({ name: names.get(sql)!, text: sql, values });
      }
    } catch (err) {
      throw new StorageError(
        `A PostgreSQL query failed (${(err as { code?: string }).code ?? 'no SQLSTATE'}); check the connection and that migrate() ran.`,
        { cause: err },
      );
    }
  }

  /** The prepared statement name of `sql`: `abmkit_` and a hash of the text. */
  #nameOf(sql: string, names: Map<string, string>): string {
    let name = names.get(sql);
    if (name === undefined) {
      name = `abmkit_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
      names.set(sql, name);
    }
    return name;
  }

  /**
   * The text of a statement that depends only on its `shape` key and the schema, built by
   * `build` the first time and reused after (no string building or hashing per call).
   */
  text(shape: string, build: () => string): string {
    let sql = this.#texts.get(shape);
    if (sql === undefined) {
      sql = build();
      this.#texts.set(shape, sql);
    }
    return sql;
  }

  /** Runs `fn` in a transaction on one pooled client: committed, or rolled back when it throws. */
  async tx<T>(fn: (c: PgClientLike) => Promise<T>): Promise<T> {
    let client: PgClientLike;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new StorageError('Could not get a PostgreSQL connection from the pool.', {
        cause: err,
      });
    }
    let broken: Error | undefined;
    try {
      await this.q('BEGIN', [], client);
      const out = await fn(client);
      await this.q('COMMIT', [], client);
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

  /**
   * Data-modifying statements behind the lease fence, in one statement (one round trip):
   * `writes` maps CTE names to `INSERT/UPDATE/DELETE … WHERE ${fenceGuard(fence)} … RETURNING`
   * bodies, each written only while the fence holds. Every parameter of `values` must appear in
   * some body (PostgreSQL types them there); the fence's parameters follow them. Throws `LeaseLostError` when a fence was given and does not hold
   * (the lease row is read `FOR SHARE`, so a take-over waits); otherwise returns each CTE's
   * returned rows by name.
   */
  async fencedWrite(
    fence: LeaseFence | undefined,
    values: unknown[],
    writes: Record<string, string>,
  ): Promise<Record<string, Row[]>> {
    const n = values.length;
    const ctes = Object.entries(writes);
    const parts = ctes.map(([name, sql]) => `${name} AS (${sql})`);
    const outs = ctes.map(([name]) => `(SELECT json_agg(${name}) FROM ${name}) AS ${name}`);
    if (fence !== undefined) {
      parts.unshift(`f AS (SELECT 1 FROM ${this.s}.leases WHERE token_id = $${n + 1}
        AND generation = $${n + 2} AND owner IS NOT NULL AND ($${n + 3}::text IS NULL OR owner = $${n + 3})
        AND expires_at > now() FOR SHARE)`);
      outs.unshift('EXISTS (SELECT 1 FROM f) AS fenced');
      values = [...values, fence.tokenId, fence.generation, fence.owner ?? null];
    }
    const r = await this.q(`WITH ${parts.join(', ')} SELECT ${outs.join(', ')}`, values);
    const row = (r.rows[0] ?? {}) as Row;
    if (fence !== undefined && row['fenced'] !== true) throw new LeaseLostError(fence.tokenId);
    const out: Record<string, Row[]> = {};
    for (const [name] of ctes) out[name] = (jsonValue(row[name]) as Row[] | null) ?? [];
    return out;
  }

  /** The database clock, as ISO text with milliseconds. */
  async now(on: Querier = this.pool): Promise<IsoDateTime> {
    const r = await this.q(`SELECT ${NOW_ISO} AS now`, [], on);
    return String(r.rows[0]?.['now']);
  }
}

/**
 * A page from rows fetched with `LIMIT limit + 1`: the first `limit` mapped, and the key of the
 * last as the next cursor when there were more. @internal
 */
export function pageOf<T>(
  rows: readonly Row[],
  limit: number,
  map: (row: Row) => T,
  key: (item: T) => string,
): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? key(last) : null };
}

/** A nullable column as `string | null`. @internal */
export const str = (v: unknown): string | null =>
  v === null || v === undefined ? null : String(v);

/** Base of every PostgreSQL store: holds the shared {@link PgDb}. @internal */
export abstract class PgStore {
  /** The pool, schema and helpers. */
  protected readonly db: PgDb;

  constructor(db: PgDb) {
    this.db = db;
  }
}

/** The condition a fenced write's CTE body carries (see {@link PgDb.fencedWrite}). @internal */
export function fenceGuard(fence: LeaseFence | undefined): string {
  return fence === undefined ? 'true' : 'EXISTS (SELECT 1 FROM f)';
}

/** A `json` column: parsed by node-postgres's default type parser, text with a custom one. @internal */
export function jsonValue(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

/**
 * Whether PostgreSQL refused a prepared statement because its result type changed meanwhile
 * (SQLSTATE 0A000 from the plan cache's revalidation; the message may be in the server's
 * language, the routine name is not).
 */
function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; routine?: unknown; message?: unknown } | null;
  return (
    e?.code === '0A000' &&
    (e.routine === 'RevalidateCachedQuery' ||
      (typeof e.message === 'string' && e.message.includes('cached plan must not change')))
  );
}

/** The next name of a prepared statement (`…_r1`, `…_r2`, …): same text, prepared afresh. */
function renamed(name: string): string {
  const m = /^(.*)_r(\d+)$/.exec(name);
  return m ? `${m[1]}_r${Number(m[2]) + 1}` : `${name}_r1`;
}
