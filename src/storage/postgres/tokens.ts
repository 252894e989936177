import type { Limited, TokenPersistence } from '../adapter.js';
import type { Page, TokenExpectation, TokenPatch, TokenQuery, TokenRecord } from '../types.js';
import { NOW_ISO } from './migrations.js';
import { PgStore, pageOf, type Row } from './query.js';

/** The token columns ({@link toToken} maps them). @internal */
export const TOKEN_COLS = 'token_id, doc::text AS doc, created_at, updated_at';

/** The tables holding a token's data, all emptied when it is deleted. */
const TOKEN_TABLES = [
  'tokens',
  'sessions',
  'cursors',
  'devices',
  'policies',
  'retries',
  'sync_runs',
] as const;

/**
 * Token documents in table `tokens` (a `jsonb` document, with `customer_id` and `site_id`
 * columns for listing). Secret fields arrive sealed. @internal
 */
export class PostgresTokens extends PgStore implements TokenPersistence {
  async save(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    const { set, remove } = splitTokenPatch(patch);
    const r = await this.db.q(
      `INSERT INTO ${this.db.s}.tokens AS t (token_id, customer_id, site_id, doc, created_at, updated_at)
       VALUES ($1, $2::jsonb->>'customerId', $2::jsonb->>'siteId', $2::jsonb, ${NOW_ISO}, ${NOW_ISO})
       ON CONFLICT (token_id) DO UPDATE SET ${setDoc('$2', '$3')}
       RETURNING ${TOKEN_COLS}`,
      [tokenId, JSON.stringify(set), remove],
    );
    return toToken(r.rows[0] as Row);
  }

  async update(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    const { set, remove } = splitTokenPatch(patch);
    const expected: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(expect)) expected[k] = v ?? null;
    // One statement: the row is updated only while every expected field holds its value.
    const r = await this.db.q(updateSql(this.db.s, ['$1', '$2', '$3', '$4']), [
      tokenId,
      JSON.stringify(set),
      remove,
      JSON.stringify(expected),
    ]);
    return r.rows[0] ? toToken(r.rows[0]) : null;
  }

  async get(tokenId: string): Promise<TokenRecord | null> {
    const r = await this.db.q(`SELECT ${TOKEN_COLS} FROM ${this.db.s}.tokens WHERE token_id = $1`, [
      tokenId,
    ]);
    return r.rows[0] ? toToken(r.rows[0]) : null;
  }

  async list(query: Limited<TokenQuery>): Promise<Page<TokenRecord>> {
    const { limit } = query;
    const r = await this.db.q(
      `SELECT ${TOKEN_COLS} FROM ${this.db.s}.tokens
       WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR site_id = $2)
         AND ($3::text IS NULL OR token_id > $3)
       ORDER BY token_id LIMIT $4`,
      [query.customerId ?? null, query.siteId ?? null, query.cursor ?? null, limit + 1],
    );
    return pageOf(r.rows, limit, toToken, (t) => t.tokenId);
  }

  async delete(tokenId: string): Promise<boolean> {
    return this.db.tx(async (c) => {
      let n = 0;
      // The lease row stays, released, so that generations never repeat for this token id.
      await this.db.q(
        `UPDATE ${this.db.s}.leases SET owner = NULL, expires_at = now() WHERE token_id = $1`,
        [tokenId],
        c,
      );
      for (const table of TOKEN_TABLES) {
        const r = await this.db.q(
          `DELETE FROM ${this.db.s}.${table} WHERE token_id = $1`,
          [tokenId],
          c,
        );
        if (table === 'tokens' || table === 'devices' || table === 'cursors') n += r.rowCount ?? 0;
      }
      return n > 0;
    });
  }
}

/** A token row as a (sealed) record. @internal */
export function toToken(r: Row): TokenRecord {
  const doc = JSON.parse(String(r['doc'])) as Record<string, unknown>;
  return {
    ...doc,
    tokenId: String(r['token_id']),
    createdAt: String(r['created_at']),
    updatedAt: String(r['updated_at']),
  } as TokenRecord;
}

/** A token patch as `set` (fields to merge into the document) and `remove` (fields set to `null`). */
/** A patch as the fields to set and the fields to remove (`null`). @internal */
export function splitTokenPatch(patch: TokenPatch): {
  set: Record<string, unknown>;
  remove: string[];
} {
  const set: Record<string, unknown> = {};
  const remove: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'tokenId' || k === 'createdAt' || k === 'updatedAt' || v === undefined) continue;
    if (v === null) remove.push(k);
    else set[k] = v;
  }
  return { set, remove };
}

/** The SQL that merges patch `set` into document `t.doc` and drops the fields in `remove`. */
function setDoc(set: string, remove: string): string {
  const doc = `((t.doc || ${set}::jsonb) - ${remove}::text[])`;
  // updated_at moves forward on every write, by at least 1 ms (it versions the record).
  return `doc = ${doc}, customer_id = ${doc}->>'customerId', site_id = ${doc}->>'siteId',
    updated_at = CASE WHEN ${NOW_ISO} COLLATE "C" > t.updated_at COLLATE "C" THEN ${NOW_ISO}
      ELSE to_char((t.updated_at::timestamptz + interval '1 millisecond') AT TIME ZONE 'UTC',
        'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END`;
}

/**
 * The conditional token update: token `id`, patch `set` / `remove` ({@link splitTokenPatch}),
 * written only while every field of `expect` (JSON, `null` = absent) holds its value; returns
 * the token's row. The arguments are parameter placeholders. @internal
 */
export function updateSql(
  s: string,
  [id, set, remove, expect]: readonly [string, string, string, string],
): string {
  return `UPDATE ${s}.tokens AS t SET ${setDoc(set, remove)}
    WHERE t.token_id = ${id} AND NOT EXISTS (
      SELECT 1 FROM jsonb_each(${expect}::jsonb) AS e
      WHERE (t.doc -> e.key) IS DISTINCT FROM NULLIF(e.value, 'null'::jsonb))
    RETURNING ${TOKEN_COLS}`;
}
