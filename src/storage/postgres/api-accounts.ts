import { StorageError } from '../../errors/index.js';
import type { ApiAccountPersistence, ApiRecordKind } from '../adapter.js';
import { ApiAccounts } from '../api-accounts/api-accounts.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { PgPoolLike, PgQueryResult } from './pg-types.js';

/**
 * API-account documents in table `api_documents` of the storage's schema, created on first use
 * (`CREATE TABLE IF NOT EXISTS`). @internal
 */
export class PostgresApiDocuments implements ApiAccountPersistence {
  readonly #pool: PgPoolLike;
  readonly #table: string;
  #ready: Promise<void> | undefined;

  constructor(pool: PgPoolLike, schema: string) {
    this.#pool = pool;
    this.#table = `"${schema}".api_documents`;
  }

  async #q(sql: string, values: unknown[]): Promise<PgQueryResult> {
    this.#ready ??= this.#pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.#table} (kind text NOT NULL, id text NOT NULL, doc text NOT NULL, PRIMARY KEY (kind, id))`,
      )
      .then(() => undefined);
    try {
      await this.#ready;
      return await this.#pool.query(sql, values);
    } catch (err) {
      this.#ready = undefined;
      throw new StorageError(
        `A PostgreSQL query on API accounts failed (${(err as { code?: string }).code ?? 'no SQLSTATE'}); check the connection and that migrate() ran (the schema must exist).`,
        { cause: err },
      );
    }
  }

  async put(kind: ApiRecordKind, id: string, json: string): Promise<void> {
    await this.#q(
      `INSERT INTO ${this.#table} (kind, id, doc) VALUES ($1, $2, $3) ON CONFLICT (kind, id) DO UPDATE SET doc = EXCLUDED.doc`,
      [kind, id, json],
    );
  }

  async get(kind: ApiRecordKind, id: string): Promise<string | null> {
    const r = await this.#q(`SELECT doc FROM ${this.#table} WHERE kind = $1 AND id = $2`, [
      kind,
      id,
    ]);
    return (r.rows[0] as { doc?: string } | undefined)?.doc ?? null;
  }

  async list(kind: ApiRecordKind, after: string | undefined, limit: number) {
    const r = await this.#q(
      `SELECT id, doc FROM ${this.#table} WHERE kind = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id COLLATE "C" LIMIT $3`,
      [kind, after ?? null, limit],
    );
    return (r.rows as { id: string; doc: string }[]).map((row) => ({ id: row.id, json: row.doc }));
  }

  async delete(kind: ApiRecordKind, id: string): Promise<boolean> {
    const r = await this.#q(`DELETE FROM ${this.#table} WHERE kind = $1 AND id = $2`, [kind, id]);
    return (r.rowCount ?? 0) > 0;
  }
}

/**
 * API accounts of a {@link PostgresStorage}: table `api_documents` in the storage's schema,
 * created on first use (`CREATE TABLE IF NOT EXISTS`). Private keys are sealed by the storage's key.
 */
export class PostgresApiAccountStore extends ApiAccounts {
  /**
   * @param pool - The storage's pool.
   * @param schema - The storage's schema.
   * @param secrets - The storage's secret box.
   * @param clock - Milliseconds since the epoch, for the stamps.
   * @param docs - The document store (a new one over `pool` and `schema` by default).
   */
  constructor(
    pool: PgPoolLike,
    schema: string,
    secrets: SecretBox,
    clock?: () => number,
    docs: ApiAccountPersistence = new PostgresApiDocuments(pool, schema),
  ) {
    super(docs, secrets, clock);
  }
}
