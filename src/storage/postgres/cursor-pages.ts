import { opDateMs } from '../../domain/devices.js';
import { CursorConflictError, LeaseLostError } from '../../errors/index.js';
import type { AdeDevice } from '../../schemas/device.js';
import type { CursorPersistence, PageWrite } from '../adapter.js';
import type { ApplyPageResult, CursorRecord, PagePlanEntry, SetCursorInput } from '../types.js';
import { NOW_ISO } from './migrations.js';
import { jsonValue, PgStore, type Row, str } from './query.js';

/** The cursor columns ({@link toCursor} maps them). @internal */
export const CURSOR_COLS =
  'token_id, cursor, phase, full_fetch_id, last_full_fetch_at, fetched_until, updated_at';

/**
 * Cursors in table `cursors`, and page application: one statement (one round trip) holds the
 * lease check (`FOR SHARE`, so a take-over waits), the cursor compare-and-set and the page's
 * `INSERT … ON CONFLICT … WHERE <op_date guard>`: all or nothing. @internal
 */
export class PostgresCursorPages extends PgStore implements CursorPersistence {
  async get(tokenId: string): Promise<CursorRecord | null> {
    const r = await this.db.q(
      `SELECT ${CURSOR_COLS} FROM ${this.db.s}.cursors WHERE token_id = $1`,
      [tokenId],
    );
    return r.rows[0] ? toCursor(r.rows[0]) : null;
  }

  async set(input: SetCursorInput): Promise<CursorRecord> {
    return (await this.#write(input, input.cursor, null)).cursor;
  }

  async reset(tokenId: string): Promise<void> {
    await this.db.q(
      `UPDATE ${this.db.s}.cursors SET cursor = NULL, phase = 'full', full_fetch_id = NULL,
         fetched_until = NULL, updated_at = ${NOW_ISO} WHERE token_id = $1`,
      [tokenId],
    );
  }

  async applyPage(input: PageWrite, betweenWrites: () => Promise<void>): Promise<ApplyPageResult> {
    const { devices } = input;
    const json = devices.length === 0 ? null : pageJson(devices, input.plans);
    // One statement writes everything (all or nothing): the crash hook runs before it is sent.
    await betweenWrites();
    const { cursor, row } = await this.#write(input, input.nextCursor, json, devices.length);
    const result: ApplyPageResult = { added: [], modified: [], removed: [], skipped: [], cursor };
    if (json === null) return result;
    // The statement answers with the serials of the exceptions, not a row per device: what
    // it inserted (or brought back), what it marked removed, the deletions of devices it did
    // not hold; and, only when the op_date guard skipped some, every serial it applied.
    const added = new Set(serials(row['added']));
    const removed = new Set(serials(row['removed']));
    const quiet = new Set(serials(row['quiet']));
    const applied =
      Number(row['applied']) < devices.length ? new Set(serials(row['applied_serials'])) : null;
    for (const { serial_number: serial } of devices) {
      if (applied !== null && !applied.has(serial)) result.skipped.push(serial);
      else if (removed.has(serial)) result.removed.push(serial);
      else if (added.has(serial)) result.added.push(serial);
      else if (!quiet.has(serial)) result.modified.push(serial);
    }
    return result;
  }

  /**
   * The lease check, the cursor compare-and-set and (with `json`, a page of `count` devices) the
   * page upsert, in one statement: refused with `LeaseLostError` / `CursorConflictError` as a
   * whole.
   */
  async #write(
    input: SetCursorInput | PageWrite,
    cursor: string | null,
    json: string | null,
    count = 0,
  ): Promise<{ cursor: CursorRecord; row: Row }> {
    const setFf = input.fullFetchId !== undefined;
    const fetchedUntil = 'fetchedUntil' in input ? input.fetchedUntil : undefined;
    const values = [
      input.tokenId,
      input.expectedCursor,
      cursor,
      input.phase,
      setFf,
      setFf ? input.fullFetchId : null,
      input.lastFullFetchAt ?? null,
      fetchedUntil !== undefined,
      fetchedUntil ?? null,
      input.generation,
      input.owner ?? null,
    ];
    if (json !== null) values.push(json, input.fullFetchId ?? null, count);
    const withDevices = json !== null;
    const sql = this.db.text(`page-write:${withDevices}`, () =>
      pageWriteSql(this.db.s, withDevices),
    );
    const r = await this.db.q(sql, values);
    const row = r.rows[0] as Row;
    if (row['fenced'] !== true) throw new LeaseLostError(input.tokenId);
    if (row['cursor'] === null) throw new CursorConflictError(input.tokenId);
    return { cursor: toCursor(jsonValue(row['cursor']) as Row), row };
  }
}

/**
 * The page write statement. `$1` token, `$2` expected cursor, `$3` new cursor, `$4` phase,
 * `$5`/`$6` full-fetch id (set?, value), `$7` last full fetch, `$8`/`$9` fetched-until (set?,
 * value), `$10`/`$11` the fence (generation, owner or null); with devices, `$12` the page
 * ({@link pageJson}), `$13` its full-fetch id and `$14` its number of entries. The lease row is
 * read `FOR SHARE` (a take-over waits for this statement); the cursor is updated when it holds the expected value, or inserted
 * when none is expected and none exists; the devices are written only when the cursor moved.
 * Data-modifying CTEs share one snapshot, so the insert checks the row the update could not see
 * change. @internal
 */
function pageWriteSql(s: string, withDevices: boolean): string {
  const cas = cursorCasSql(s, {
    ...{ token: '$1', expected: '$2', cursor: '$3', phase: '$4', setFf: '$5', ff: '$6' },
    ...{ lastFull: '$7', setFu: '$8', fu: '$9', generation: '$10', owner: '$11' },
  });
  return `WITH ${cas}${
    withDevices
      ? `, d AS (${upsertSql(s, 'EXISTS (SELECT 1 FROM c)')})
  SELECT EXISTS (SELECT 1 FROM f) AS fenced, (SELECT row_to_json(c) FROM c) AS cursor, r.*
  FROM (SELECT count(*) AS applied,
      json_agg(serial) FILTER (WHERE NOT removed AND (inserted OR was_removed)) AS added,
      json_agg(serial) FILTER (WHERE removed AND NOT inserted AND NOT was_removed) AS removed,
      json_agg(serial) FILTER (WHERE removed AND (inserted OR was_removed)) AS quiet,
      CASE WHEN count(*) < $14 THEN json_agg(serial) END AS applied_serials
    FROM d) AS r`
      : `
  SELECT EXISTS (SELECT 1 FROM f) AS fenced, (SELECT row_to_json(c) FROM c) AS cursor`
  }`;
}

/** The placeholders of {@link cursorCasSql}. @internal */
export interface CursorCasParams {
  token: string;
  expected: string;
  cursor: string;
  phase: string;
  setFf: string;
  ff: string;
  lastFull: string;
  setFu: string;
  fu: string;
  generation: string;
  owner: string;
}

/**
 * The CTEs `f` (the lease row, `FOR SHARE`, when `generation`/`owner` hold it and it has not
 * expired), `u`/`i` (the cursor updated when it holds `expected`, or inserted when none is
 * expected and none exists; only with `f`) and `c` (the cursor written, if any). @internal
 */
export function cursorCasSql(s: string, p: CursorCasParams): string {
  return `f AS (
    SELECT 1 FROM ${s}.leases WHERE token_id = ${p.token} AND generation = ${p.generation}
      AND owner IS NOT NULL AND (${p.owner}::text IS NULL OR owner = ${p.owner})
      AND expires_at > now() FOR SHARE
  ), u AS (
    UPDATE ${s}.cursors SET cursor = ${p.cursor}, phase = ${p.phase},
      full_fetch_id = CASE WHEN ${p.setFf} THEN ${p.ff} ELSE full_fetch_id END,
      last_full_fetch_at = COALESCE(${p.lastFull}, last_full_fetch_at),
      fetched_until = CASE WHEN ${p.setFu} THEN ${p.fu} ELSE fetched_until END,
      updated_at = ${NOW_ISO}
    WHERE token_id = ${p.token} AND cursor IS NOT DISTINCT FROM ${p.expected}::text
      AND EXISTS (SELECT 1 FROM f)
    RETURNING ${CURSOR_COLS}
  ), i AS (
    INSERT INTO ${s}.cursors (token_id, cursor, phase, full_fetch_id, last_full_fetch_at, fetched_until, updated_at)
    SELECT ${p.token}, ${p.cursor}, ${p.phase}, CASE WHEN ${p.setFf} THEN ${p.ff} END, ${p.lastFull},
      CASE WHEN ${p.setFu} THEN ${p.fu} END, ${NOW_ISO}
    WHERE ${p.expected}::text IS NULL AND EXISTS (SELECT 1 FROM f)
      AND NOT EXISTS (SELECT 1 FROM ${s}.cursors WHERE token_id = ${p.token})
    ON CONFLICT (token_id) DO NOTHING
    RETURNING ${CURSOR_COLS}
  ), c AS (SELECT * FROM u UNION ALL SELECT * FROM i)`;
}

/**
 * The page upsert statement (one round trip). `x.plan` is NULL for entries without a page plan
 * and for deletions (see {@link pageJson}), so `EXCLUDED.plan_revision IS NOT NULL` means "write
 * the plan"; `EXCLUDED.assigned_at` likewise. @internal
 */
function upsertSql(s: string, guard: string): string {
  // The clock once per statement (an InitPlan), not twice per row.
  const now = `(SELECT ${NOW_ISO})`;
  return `INSERT INTO ${s}.devices AS d (token_id, serial, device, op_date, op_type, removed, removed_at,
    full_fetch_id, first_seen_at, updated_at, resolved_profile_uuid, unassigned_reason, plan_revision,
    assigned_profile_uuid, assigned_at)
  SELECT $1, serial, device, op_date, op_type, op_type IS NOT DISTINCT FROM 'deleted',
    CASE WHEN op_type = 'deleted' THEN ${now} END, $13, ${now}, ${now}, resolved, reason,
    plan, assigned, assigned_at
  FROM jsonb_to_recordset($12::jsonb) AS x(serial text, device jsonb, op_date text, op_type text,
    plan integer, resolved text, reason text, assigned text, assigned_at text)
  WHERE ${guard}
  ON CONFLICT (token_id, serial) DO UPDATE SET
    prev_removed = d.removed,
    device = CASE WHEN EXCLUDED.removed THEN d.device || EXCLUDED.device ELSE EXCLUDED.device END,
    op_date = COALESCE(EXCLUDED.op_date, d.op_date),
    op_type = COALESCE(EXCLUDED.op_type, d.op_type),
    removed = EXCLUDED.removed,
    removed_at = CASE WHEN NOT EXCLUDED.removed THEN NULL WHEN d.removed THEN d.removed_at ELSE EXCLUDED.removed_at END,
    resolved_profile_uuid = CASE WHEN EXCLUDED.plan_revision IS NULL THEN d.resolved_profile_uuid ELSE EXCLUDED.resolved_profile_uuid END,
    unassigned_reason = CASE WHEN EXCLUDED.plan_revision IS NULL THEN d.unassigned_reason ELSE EXCLUDED.unassigned_reason END,
    plan_revision = COALESCE(EXCLUDED.plan_revision, d.plan_revision),
    assigned_profile_uuid = CASE WHEN EXCLUDED.removed THEN NULL WHEN EXCLUDED.assigned_at IS NOT NULL THEN EXCLUDED.assigned_profile_uuid ELSE d.assigned_profile_uuid END,
    assigned_at = CASE WHEN EXCLUDED.removed THEN NULL ELSE COALESCE(EXCLUDED.assigned_at, d.assigned_at) END,
    full_fetch_id = COALESCE(EXCLUDED.full_fetch_id, d.full_fetch_id),
    updated_at = EXCLUDED.updated_at
  WHERE EXCLUDED.op_date IS NULL OR d.op_date IS NULL OR EXCLUDED.op_date >= d.op_date
  RETURNING d.serial, d.removed, (d.xmax = 0) AS inserted, COALESCE(d.prev_removed, false) AS was_removed`;
}

/** The JSON parameter of {@link upsertSql}: a collapsed page, with the plans of entries that do not delete. @internal */
function pageJson(
  entries: readonly AdeDevice[],
  plans: ReadonlyMap<string, PagePlanEntry>,
): string {
  return JSON.stringify(
    entries.map((d) => {
      const ms = opDateMs(d);
      const opType = typeof d.op_type === 'string' ? d.op_type : null;
      const plan = opType === 'deleted' ? undefined : plans.get(d.serial_number);
      const row: Row = {
        serial: d.serial_number,
        device: d,
        op_date: ms === null ? null : new Date(ms).toISOString(),
        op_type: opType,
      };
      if (plan !== undefined) {
        row['plan'] = plan.planRevision;
        row['resolved'] = plan.resolvedProfileUuid;
        row['reason'] = plan.unassignedReason;
        if (plan.assignedAt !== undefined) {
          row['assigned'] = plan.assignedProfileUuid;
          row['assigned_at'] = plan.assignedAt;
        }
      }
      return row;
    }),
  );
}

/** A JSON array of serial numbers from the page statement (`null` when empty). */
function serials(v: unknown): string[] {
  return (jsonValue(v) as string[] | null | undefined) ?? [];
}

/** A cursor row as a record. @internal */
export function toCursor(r: Row): CursorRecord {
  return {
    tokenId: String(r['token_id']),
    cursor: str(r['cursor']),
    phase: String(r['phase']) as CursorRecord['phase'],
    fullFetchId: str(r['full_fetch_id']),
    lastFullFetchAt: str(r['last_full_fetch_at']),
    fetchedUntil: str(r['fetched_until']),
    updatedAt: String(r['updated_at']),
  };
}
