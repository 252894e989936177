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

  constructor(pool: PgPoolLike, schema: string) {
    this.pool = pool;
    this.schema = schema;
    this.s = `"${schema}"`;
  }

  /** Runs one statement on `on` (the pool by default). */
  async q(sql: string, values: unknown[] = [], on: Querier = this.pool): Promise<PgQueryResult> {
    try {
      return await on.query(sql, values);
    } catch (err) {
      throw new StorageError(
        `A PostgreSQL query failed (${(err as { code?: string }).code ?? 'no SQLSTATE'}); check the connection and that migrate() ran.`,
        { cause: err },
      );
    }
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
   * Inside transaction `c`: throws `LeaseLostError` unless `fence` holds the current lease (by the
   * database clock). The row is locked `FOR SHARE`, so a take-over waits for the transaction.
   */
  async fence(c: Querier, fence: LeaseFence): Promise<void> {
    const r = await this.q(
      `SELECT 1 FROM ${this.s}.leases WHERE token_id = $1 AND generation = $2
         AND owner IS NOT NULL AND ($3::text IS NULL OR owner = $3)
         AND expires_at > now() FOR SHARE`,
      [fence.tokenId, fence.generation, fence.owner ?? null],
      c,
    );
    if (r.rows.length === 0) throw new LeaseLostError(fence.tokenId);
  }

  /** Runs `fn` on the pool, or in a transaction after the fence when there is one. */
  async fenced<T>(fence: LeaseFence | undefined, fn: (on: Querier) => Promise<T>): Promise<T> {
    if (fence === undefined) return fn(this.pool);
    return this.tx(async (c) => {
      await this.fence(c, fence);
      return fn(c);
    });
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
