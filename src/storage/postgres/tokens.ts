import type { Limited, TokenPersistence } from '../adapter.js';
import type { Page, TokenExpectation, TokenPatch, TokenQuery, TokenRecord } from '../types.js';
import { NOW_ISO } from './migrations.js';
import { PgStore, pageOf, type Row } from './query.js';

/**
 * The token fields every sync run writes (its outcome and health), and `credentialsId`, which
 * every run's start and end compare: column `state` holds them, `doc` the rest (key pairs,
 * sealed credentials, account details; about 7 KB, stored out of line by PostgreSQL). A run's
 * write then leaves `doc` as it is, so PostgreSQL neither reads nor rewrites it. Migration 4 moved
 * these keys out of `doc`; a key added here needs a migration that moves it too. @internal
 */
export const STATE_KEYS: readonly string[] = [
  'credentialsId',
  'healthStatus',
  'healthChangedAt',
  'healthNotified',
  'lastSyncAt',
  'lastSuccessfulSyncAt',
  'lastError',
  'syncHealth',
];
const STATE = new Set(STATE_KEYS);
const STATE_SQL = `ARRAY[${STATE_KEYS.map((k) => `'${k}'`).join(', ')}]::text[]`;

/** The token columns, the two documents as one ({@link toToken} maps them). @internal */
export const TOKEN_COLS = 'token_id, (doc || state)::text AS doc, created_at, updated_at';

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
    const r = await this.db.q(
      this.db.text(
        'token-save',
        () => `INSERT INTO ${this.db.s}.tokens AS t
         (token_id, customer_id, site_id, doc, state, created_at, updated_at)
       VALUES ($1, $2::jsonb->>'customerId', $2::jsonb->>'siteId', $2::jsonb, $4::jsonb, ${NOW_ISO}, ${NOW_ISO})
       ON CONFLICT (token_id) DO UPDATE SET ${setDoc(['$2', '$3', '$4', '$5'])}
       RETURNING ${TOKEN_COLS}`,
      ),
      [tokenId, ...tokenPatchParams(patch)],
    );
    return toToken(r.rows[0] as Row);
  }

  async update(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    // One statement: the row is updated only while every expected field holds its value.
    const r = await this.db.q(
      this.db.text('token-update', () =>
        updateSql(this.db.s, '$1', ['$2', '$3', '$4', '$5'], '$6'),
      ),
      [tokenId, ...tokenPatchParams(patch), expectParam(expect)],
    );
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

/**
 * A token patch as the four parameters of {@link setDoc}: the fields to merge into `doc` (JSON)
 * and to drop from it, then the same for `state` ({@link STATE_KEYS}). `null` drops a field.
 * @internal
 */
export function tokenPatchParams(patch: TokenPatch): [string, string[], string, string[]] {
  const set: Record<string, unknown> = {};
  const remove: string[] = [];
  const stateSet: Record<string, unknown> = {};
  const stateRemove: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'tokenId' || k === 'createdAt' || k === 'updatedAt' || v === undefined) continue;
    const inState = STATE.has(k);
    if (v === null) (inState ? stateRemove : remove).push(k);
    else if (inState) stateSet[k] = v;
    else set[k] = v;
  }
  return [JSON.stringify(set), remove, JSON.stringify(stateSet), stateRemove];
}

/** The expectation of a conditional update as its parameter (JSON, `null` = absent). @internal */
export function expectParam(expect: TokenExpectation): string {
  const expected: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(expect)) expected[k] = v ?? null;
  return JSON.stringify(expected);
}

/**
 * The SQL that merges a patch ({@link tokenPatchParams}: placeholders of `doc` fields to set and
 * drop, then of `state` fields) into row `t`. `doc` is assigned itself when the patch has none of
 * its fields, so PostgreSQL keeps its stored value as it is.
 */
function setDoc([set, remove, stateSet, stateRemove]: readonly string[]): string {
  const changed = `(${set}::jsonb <> '{}'::jsonb OR cardinality(${remove}::text[]) > 0)`;
  const doc = `((t.doc || ${set}::jsonb) - ${remove}::text[])`;
  // updated_at moves forward on every write, by at least 1 ms (it versions the record).
  return `doc = CASE WHEN ${changed} THEN ${doc} ELSE t.doc END,
    state = (t.state || ${stateSet}::jsonb) - ${stateRemove}::text[],
    customer_id = CASE WHEN ${changed} THEN ${doc}->>'customerId' ELSE t.customer_id END,
    site_id = CASE WHEN ${changed} THEN ${doc}->>'siteId' ELSE t.site_id END,
    updated_at = CASE WHEN ${NOW_ISO} COLLATE "C" > t.updated_at COLLATE "C" THEN ${NOW_ISO}
      ELSE to_char((t.updated_at::timestamptz + interval '1 millisecond') AT TIME ZONE 'UTC',
        'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END`;
}

/**
 * The conditional token update: token `id`, the patch's four placeholders
 * ({@link tokenPatchParams}), written only while every field of `expect` (a placeholder of
 * {@link expectParam}) holds its value; returns the token's row. @internal
 */
export function updateSql(s: string, id: string, patch: readonly string[], expect: string): string {
  return `UPDATE ${s}.tokens AS t SET ${setDoc(patch)}
    WHERE t.token_id = ${id} AND NOT EXISTS (
      SELECT 1 FROM jsonb_each(${expect}::jsonb) AS e
      WHERE (CASE WHEN e.key = ANY(${STATE_SQL}) THEN t.state -> e.key ELSE t.doc -> e.key END)
        IS DISTINCT FROM NULLIF(e.value, 'null'::jsonb))
    RETURNING ${TOKEN_COLS}`;
}
