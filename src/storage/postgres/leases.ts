import { LeaseLostError } from '../../errors/index.js';
import type { LeasePersistence } from '../adapter.js';
import type { LeaseGrant } from '../types.js';
import { iso } from './migrations.js';
import { PgStore, type Row } from './query.js';

/** The lease columns ({@link toLease} maps them). @internal */
export const LEASE_COLS = `token_id, owner, generation, ${iso('expires_at')} AS expires_at`;

/**
 * Sync leases in table `leases`, by the database clock (no session advisory locks, so
 * PgBouncer-safe). A released lease keeps its row, so generations never repeat. @internal
 */
export class PostgresLeases extends PgStore implements LeasePersistence {
  async acquire(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null> {
    const r = await this.db.q(acquireSql(this.db.s), [tokenId, owner, ttlMs]);
    return r.rows[0] ? toLease(r.rows[0]) : null;
  }

  async renew(
    tokenId: string,
    owner: string,
    generation: number,
    ttlMs: number,
  ): Promise<LeaseGrant> {
    const r = await this.db.q(
      `UPDATE ${this.db.s}.leases SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE token_id = $1 AND owner = $2 AND generation = $3 AND expires_at > now()
       RETURNING ${LEASE_COLS}`,
      [tokenId, owner, generation, ttlMs],
    );
    if (!r.rows[0]) throw new LeaseLostError(tokenId);
    return toLease(r.rows[0]);
  }

  async release(tokenId: string, owner: string, generation: number): Promise<boolean> {
    const r = await this.db.q(
      `UPDATE ${this.db.s}.leases SET owner = NULL, expires_at = now()
       WHERE token_id = $1 AND owner = $2 AND generation = $3`,
      [tokenId, owner, generation],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async get(tokenId: string): Promise<LeaseGrant | null> {
    const r = await this.db.q(
      `SELECT ${LEASE_COLS} FROM ${this.db.s}.leases
       WHERE token_id = $1 AND owner IS NOT NULL AND expires_at > now()`,
      [tokenId],
    );
    return r.rows[0] ? toLease(r.rows[0]) : null;
  }
}

/** A lease row as a grant. @internal */
export function toLease(r: Row): LeaseGrant {
  return {
    tokenId: String(r['token_id']),
    owner: String(r['owner']),
    generation: Number(r['generation']),
    expiresAt: String(r['expires_at']),
  };
}

/**
 * Takes lease `$1` for owner `$2` for `$3` ms when it is free, expired or already `$2`'s (and
 * `when` holds), bumping the generation; returns the grant's row, or none. `when` is judged in
 * the statement's snapshot; `onRow` on the lease row `l` as it is once a writer holding it has
 * committed (what a take-over must see). @internal
 */
export function acquireSql(s: string, when = 'true', onRow = 'true'): string {
  return `INSERT INTO ${s}.leases AS l (token_id, owner, generation, expires_at)
    SELECT $1, $2, 1, now() + $3 * interval '1 millisecond' WHERE ${when}
    ON CONFLICT (token_id) DO UPDATE SET owner = EXCLUDED.owner,
      generation = l.generation + 1, expires_at = EXCLUDED.expires_at
    WHERE (l.owner IS NULL OR l.owner = EXCLUDED.owner OR l.expires_at <= now()) AND ${onRow}
    RETURNING ${LEASE_COLS}`;
}
