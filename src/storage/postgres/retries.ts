import type { SerialAssignmentPlan } from '../../domain/assignments.js';
import type { Limited, RetryPersistence, RetryPosition } from '../adapter.js';
import type { AssignmentRetryRecord, IsoDateTime, LeaseFence, Page, RetryQuery } from '../types.js';
import { PgStore, pageOf, type Row, str } from './query.js';

const RETRY_COLS =
  'token_id, serial, profile_uuid, status, attempts, next_attempt_at, last_error, updated_at';

/**
 * The assignment retry queue in table `retries`, and the writes of planned assignment results
 * (the assigned profile of each success, retry entries cleared or upserted). @internal
 */
export class PostgresRetries extends PgStore implements RetryPersistence {
  async due(
    tokenId: string,
    query: { now: IsoDateTime; after: RetryPosition | null; limit: number },
  ): Promise<AssignmentRetryRecord[]> {
    // Exactly the page plus one, in due order (the front pages it). Compared and ordered
    // bytewise (COLLATE "C"), as the front orders them: under a language collation a page
    // could otherwise end on a different serial than the front's cursor names.
    const { now, after, limit } = query;
    const r = await this.db.q(
      `SELECT ${RETRY_COLS} FROM ${this.db.s}.retries
       WHERE token_id = $1 AND next_attempt_at IS NOT NULL AND next_attempt_at <= $2
         AND ($3::text IS NULL OR (next_attempt_at COLLATE "C", serial COLLATE "C") > ($3::text, $4::text))
       ORDER BY next_attempt_at COLLATE "C", serial COLLATE "C" LIMIT $5`,
      [tokenId, now, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    return r.rows.map(toRetry);
  }

  async list(tokenId: string, query: Limited<RetryQuery>): Promise<Page<AssignmentRetryRecord>> {
    const { limit } = query;
    const r = await this.db.q(
      `SELECT ${RETRY_COLS} FROM ${this.db.s}.retries
       WHERE token_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR serial > $3)
       ORDER BY serial LIMIT $4`,
      [tokenId, query.status ?? null, query.cursor ?? null, limit + 1],
    );
    return pageOf(r.rows, limit, toRetry, (e) => e.serialNumber);
  }

  async delete(tokenId: string, serialNumbers: readonly string[]): Promise<number> {
    const r = await this.db.q(
      `DELETE FROM ${this.db.s}.retries WHERE token_id = $1 AND serial = ANY($2::text[])`,
      [tokenId, serialNumbers],
    );
    return r.rowCount ?? 0;
  }

  async record(
    tokenId: string,
    plans: readonly SerialAssignmentPlan[],
    at: IsoDateTime,
    fence?: LeaseFence,
  ): Promise<void> {
    if (plans.length === 0 && fence === undefined) return;
    const s = this.db.s;
    await this.db.tx(async (c) => {
      if (fence !== undefined) await this.db.fence(c, fence);
      const successes = plans.flatMap((p) =>
        p.success === null
          ? []
          : [{ serial: p.serial, profile: p.success.profileUuid, at: p.success.at }],
      );
      if (successes.length > 0) {
        await this.db.q(
          `UPDATE ${s}.devices d SET assigned_profile_uuid = p.profile, assigned_at = p.at, updated_at = $3
           FROM jsonb_to_recordset($2::jsonb) AS p(serial text, profile text, at text)
           WHERE d.token_id = $1 AND d.serial = p.serial`,
          [tokenId, JSON.stringify(successes), at],
          c,
        );
      }
      const cleared = plans.filter((p) => p.retry === null || p.retry.reset).map((p) => p.serial);
      if (cleared.length > 0) {
        await this.db.q(
          `DELETE FROM ${s}.retries WHERE token_id = $1 AND serial = ANY($2::text[])`,
          [tokenId, cleared],
          c,
        );
      }
      const retries = plans.flatMap(({ serial, retry }) =>
        retry === null
          ? []
          : [
              {
                serial,
                profile: retry.profileUuid,
                status: retry.status,
                inc: retry.increment,
                next_at: retry.nextAttemptAt,
                err: retry.lastError,
              },
            ],
      );
      if (retries.length > 0) {
        await this.db.q(
          `INSERT INTO ${s}.retries AS r (token_id, serial, profile_uuid, status, attempts, next_attempt_at, last_error, updated_at)
           SELECT $1, serial, profile, status, inc, next_at, err, $3
           FROM jsonb_to_recordset($2::jsonb) AS p(serial text, profile text, status text, inc integer, next_at text, err text)
           ON CONFLICT (token_id, serial) DO UPDATE SET profile_uuid = EXCLUDED.profile_uuid,
             status = EXCLUDED.status, next_attempt_at = EXCLUDED.next_attempt_at,
             last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at,
             attempts = r.attempts + EXCLUDED.attempts`,
          [tokenId, JSON.stringify(retries), at],
          c,
        );
      }
    });
  }
}

function toRetry(r: Row): AssignmentRetryRecord {
  return {
    tokenId: String(r['token_id']),
    serialNumber: String(r['serial']),
    profileUuid: String(r['profile_uuid']),
    status: String(r['status']) as AssignmentRetryRecord['status'],
    attempts: Number(r['attempts']),
    nextAttemptAt: str(r['next_attempt_at']),
    lastError: str(r['last_error']),
    updatedAt: String(r['updated_at']),
  };
}
