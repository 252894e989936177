import type { PolicyPersistence } from '../adapter.js';
import type { PolicyRecord } from '../types.js';
import { NOW_ISO } from './migrations.js';
import { PgStore, type Row } from './query.js';

/** The policy columns ({@link toPolicy} maps them). @internal */
export const POLICY_COLS = 'token_id, policy::text AS policy, revision, updated_at';

/** Policies in table `policies` (`jsonb`), with a revision bumped on every write. @internal */
export class PostgresPolicies extends PgStore implements PolicyPersistence {
  async get(tokenId: string): Promise<PolicyRecord | null> {
    const r = await this.db.q(
      `SELECT ${POLICY_COLS} FROM ${this.db.s}.policies WHERE token_id = $1`,
      [tokenId],
    );
    return r.rows[0] ? toPolicy(r.rows[0]) : null;
  }

  async set(tokenId: string, policy: unknown): Promise<PolicyRecord> {
    const r = await this.db.q(
      `INSERT INTO ${this.db.s}.policies AS p (token_id, policy, revision, updated_at)
       VALUES ($1, $2::jsonb, 1, ${NOW_ISO})
       ON CONFLICT (token_id) DO UPDATE SET policy = EXCLUDED.policy,
         revision = p.revision + 1, updated_at = EXCLUDED.updated_at
       RETURNING ${POLICY_COLS}`,
      [tokenId, JSON.stringify(policy)],
    );
    return toPolicy(r.rows[0] as Row);
  }
}

/** A policy row as a record. @internal */
export function toPolicy(row: Row): PolicyRecord {
  return {
    tokenId: String(row['token_id']),
    policy: JSON.parse(String(row['policy'])) as unknown,
    revision: Number(row['revision']),
    updatedAt: String(row['updated_at']),
  };
}
