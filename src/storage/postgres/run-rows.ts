import type { SyncRunRecord } from '../types.js';
import { type Row, str } from './query.js';

/** The run columns ({@link toRun} maps them). @internal */
export const RUN_COLS =
  'token_id, run_id, owner, status, started_at, finished_at, report::text AS report, error::text AS error';

/** A run row as a record. @internal */
export function toRun(r: Row): SyncRunRecord {
  return {
    runId: String(r['run_id']),
    tokenId: String(r['token_id']),
    owner: str(r['owner']),
    status: String(r['status']) as SyncRunRecord['status'],
    startedAt: String(r['started_at']),
    finishedAt: str(r['finished_at']),
    report:
      r['report'] === null ? null : (JSON.parse(String(r['report'])) as Record<string, unknown>),
    error:
      r['error'] === null
        ? null
        : (JSON.parse(String(r['error'])) as { code: string; message: string }),
  };
}
