import type { SerialAssignmentPlan } from '../../domain/assignments.js';
import type { Limited, RetryPersistence, RetryPosition } from '../adapter.js';
import type { AssignmentRetryRecord, IsoDateTime, LeaseFence, Page, RetryQuery } from '../types.js';
import { fenceGuard, PgStore, pageOf, type Row, str } from './query.js';

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
       WHERE token_id = $1 AND ${dueSql('$2')}
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
    const successes = plans.flatMap((p) =>
      p.success === null
        ? []
        : [{ serial: p.serial, profile: p.success.profileUuid, at: p.success.at }],
    );
    const deleted = plans.filter((p) => p.retry === null).map((p) => p.serial);
    const retries = plans.flatMap(({ serial, retry }) =>
      retry === null
        ? []
        : [
            {
              serial,
              profile: retry.profileUuid,
              status: retry.status,
              inc: retry.increment,
              reset: retry.reset,
              next_at: retry.nextAttemptAt,
              err: retry.lastError,
            },
          ],
    );
    // One statement (one round trip): the fence, the devices' assignments, the deletions and the
    // upserts. Only the parameters a body uses are sent (PostgreSQL types each where it appears).
    const guard = fenceGuard(fence);
    const values: unknown[] = [tokenId];
    const param = (v: unknown): string => `$${values.push(v)}`;
    const w: Record<string, string> = {};
    if (successes.length > 0) {
      w['a'] = `UPDATE ${s}.devices d SET assigned_profile_uuid = p.profile, assigned_at = p.at,
          updated_at = ${param(at)}
        FROM jsonb_to_recordset(${param(JSON.stringify(successes))}::jsonb) AS p(serial text, profile text, at text)
        WHERE d.token_id = $1 AND d.serial = p.serial AND ${guard} RETURNING 1`;
    }
    if (deleted.length > 0) {
      w['d'] =
        `DELETE FROM ${s}.retries WHERE token_id = $1 AND serial = ANY(${param(deleted)}::text[])
        AND ${guard} RETURNING 1`;
    }
    // Two upserts over distinct serials: a reset entry restarts its count, the others add to it
    // (one statement cannot delete and re-insert the same row).
    for (const [name, reset] of [
      ['r', false],
      ['z', true],
    ] as const) {
      const rows = retries.filter((r) => r.reset === reset);
      if (rows.length === 0) continue;
      w[name] =
        `INSERT INTO ${s}.retries AS r (token_id, serial, profile_uuid, status, attempts, next_attempt_at, last_error, updated_at)
        SELECT $1, serial, profile, status, inc, next_at, err, ${param(at)}
        FROM jsonb_to_recordset(${param(JSON.stringify(rows))}::jsonb) AS p(serial text, profile text, status text, inc integer, next_at text, err text)
        WHERE ${guard}
        ON CONFLICT (token_id, serial) DO UPDATE SET profile_uuid = EXCLUDED.profile_uuid,
          status = EXCLUDED.status, next_attempt_at = EXCLUDED.next_attempt_at,
          last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at,
          attempts = ${reset ? 'EXCLUDED.attempts' : 'r.attempts + EXCLUDED.attempts'}
        RETURNING 1`;
    }
    // With nothing to write, a fenced call still proves the lease.
    await this.db.fencedWrite(fence, Object.keys(w).length === 0 ? [] : values, w);
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

/** A `retries` row is due at `now` (a text SQL expression), compared bytewise. @internal */
export function dueSql(now: string): string {
  return `next_attempt_at IS NOT NULL AND next_attempt_at COLLATE "C" <= ${now}`;
}
