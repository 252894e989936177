import { newRunId } from '../../domain/devices.js';
import type { RunEndWrite, RunOutcome, RunPersistence } from '../adapter.js';
import type { BeginSyncRunInput, Page, SyncRunBegin, SyncRunEnd, SyncRunRecord } from '../types.js';
import { NOW_ISO } from './migrations.js';
import { PgStore, pageOf, type Row } from './query.js';
import { beginRun, endRun } from './run-bracket.js';
import { RUN_COLS, toRun } from './run-rows.js';

/** Sync-run history in table `sync_runs`; run ids sort by start time. @internal */
export class PostgresRuns extends PgStore implements RunPersistence {
  begin(input: BeginSyncRunInput): Promise<SyncRunBegin> {
    return beginRun(this.db, input);
  }

  end(input: RunEndWrite): Promise<SyncRunEnd> {
    return endRun(this.db, input);
  }

  async start(tokenId: string, owner: string | null): Promise<SyncRunRecord> {
    const r = await this.db.q(
      `INSERT INTO ${this.db.s}.sync_runs (token_id, run_id, owner, status, started_at)
       VALUES ($1, $2, $3, 'running', ${NOW_ISO}) RETURNING ${RUN_COLS}`,
      [tokenId, newRunId(Date.now()), owner],
    );
    return toRun(r.rows[0] as Row);
  }

  async finish(tokenId: string, runId: string, outcome: RunOutcome): Promise<SyncRunRecord | null> {
    const r = await this.db.q(
      `UPDATE ${this.db.s}.sync_runs SET status = $3, finished_at = ${NOW_ISO}, report = $4::jsonb, error = $5::jsonb
       WHERE token_id = $1 AND run_id = $2 RETURNING ${RUN_COLS}`,
      [
        tokenId,
        runId,
        outcome.status,
        outcome.report === null ? null : JSON.stringify(outcome.report),
        outcome.error === null ? null : JSON.stringify(outcome.error),
      ],
    );
    return r.rows[0] ? toRun(r.rows[0]) : null;
  }

  async list(
    tokenId: string,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<SyncRunRecord>> {
    const { limit } = query;
    const r = await this.db.q(
      `SELECT ${RUN_COLS} FROM ${this.db.s}.sync_runs WHERE token_id = $1 AND ($2::text IS NULL OR run_id < $2)
       ORDER BY run_id DESC LIMIT $3`,
      [tokenId, query.cursor ?? null, limit + 1],
    );
    return pageOf(r.rows, limit, toRun, (run) => run.runId);
  }

  async prune(tokenId: string, keep: number): Promise<number> {
    const r = await this.db.q(
      `DELETE FROM ${this.db.s}.sync_runs WHERE token_id = $1 AND run_id NOT IN
         (SELECT run_id FROM ${this.db.s}.sync_runs WHERE token_id = $1 ORDER BY run_id DESC LIMIT $2)`,
      [tokenId, keep],
    );
    return r.rowCount ?? 0;
  }
}
