import type { SessionPersistence } from '../adapter.js';
import type { IsoDateTime, SessionRecord } from '../types.js';
import { iso, NOW_ISO } from './migrations.js';
import { PgStore } from './query.js';

/** ADE sessions in table `sessions`; expiry by the database clock. @internal */
export class PostgresSessions extends PgStore implements SessionPersistence {
  async put(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void> {
    await this.db.q(
      `INSERT INTO ${this.db.s}.sessions (token_id, session_token, expires_at, updated_at)
       VALUES ($1, $2, $3::timestamptz, ${NOW_ISO})
       ON CONFLICT (token_id) DO UPDATE SET session_token = EXCLUDED.session_token,
         expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at`,
      [tokenId, session.sessionToken, session.expiresAt],
    );
  }

  async putFor(tokenId: string, session: { sessionToken: string; ttlMs: number }): Promise<void> {
    await this.db.q(
      `INSERT INTO ${this.db.s}.sessions (token_id, session_token, expires_at, updated_at)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond', ${NOW_ISO})
       ON CONFLICT (token_id) DO UPDATE SET session_token = EXCLUDED.session_token,
         expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at`,
      [tokenId, session.sessionToken, session.ttlMs],
    );
  }

  async get(tokenId: string): Promise<SessionRecord | null> {
    const r = await this.db.q(
      `SELECT token_id, session_token, ${iso('expires_at')} AS expires_at, updated_at
       FROM ${this.db.s}.sessions WHERE token_id = $1 AND expires_at > now()`,
      [tokenId],
    );
    return toSession(tokenId, r.rows[0] ?? null);
  }

  async delete(tokenId: string): Promise<void> {
    await this.db.q(`DELETE FROM ${this.db.s}.sessions WHERE token_id = $1`, [tokenId]);
  }
}

/** A session row (as stored: sealed) as a record, or `null`. @internal */
export function toSession(
  tokenId: string,
  row: Record<string, unknown> | null,
): SessionRecord | null {
  if (row === null) return null;
  return {
    tokenId,
    sessionToken: String(row['session_token']),
    expiresAt: String(row['expires_at']),
    updatedAt: String(row['updated_at']),
  };
}
