import { newRunId } from '../../domain/devices.js';
import type { RunEndWrite } from '../adapter.js';
import type { BeginSyncRunInput, SyncRunBegin, SyncRunEnd } from '../types.js';
import { CURSOR_COLS, cursorCasSql, toCursor } from './cursor-pages.js';
import {
  pendingAssignmentSql,
  replanCheckSql,
  toCounts,
  toUnresolved,
  unresolvedSql,
} from './devices.js';
import { acquireSql, toLease } from './leases.js';
import { iso, NOW_ISO } from './migrations.js';
import { POLICY_COLS, toPolicy } from './policy.js';
import { jsonValue, type PgDb, type Row } from './query.js';
import { dueSql } from './retries.js';
import { RUN_COLS, toRun } from './run-rows.js';
import { toSession } from './sessions.js';
import { expectParam, tokenPatchParams, toToken, updateSql } from './tokens.js';

/**
 * A sync run's start in one statement: the lease taken, the run inserted only when it was, and
 * the cursor, policy, device counts and pending-work checks read beside them. `$1` token, `$2`
 * owner, `$3` ttl, `$4` run id, `$5` now; `$6`–`$11` are described in {@link beginRunSql}.
 * @internal
 */
export async function beginRun(db: PgDb, input: BeginSyncRunInput): Promise<SyncRunBegin> {
  const { tokenId, owner, ttlMs, now } = input;
  const r = await db.q(
    db.text('begin-run', () => beginRunSql(db.s)),
    [
      ...[tokenId, owner, ttlMs, newRunId(Date.now()), now],
      ...[input.skipIfSyncedWithin?.from ?? null, input.skipIfSyncedWithin?.to ?? null],
      ...[input.ifTokenUnchanged?.updatedAt ?? null, input.ifTokenUnchanged?.credentialsId ?? null],
      ...[input.knownPolicy?.revision ?? null, input.knownPolicy?.updatedAt ?? null],
    ],
  );
  const row = r.rows[0] as Row;
  if (row['changed'] === true) return 'token-changed';
  if (row['recent'] === true) return 'recently-synced';
  if (jsonValue(row['lease']) === null) return null;
  const cursor = jsonValue(row['cursor']) as Row | null;
  const policy = jsonValue(row['policy']) as Row | null;
  return {
    lease: toLease(jsonValue(row['lease']) as Row),
    run: toRun(jsonValue(row['run']) as Row),
    cursor: cursor === null ? null : toCursor(cursor),
    policy:
      row['policy_unchanged'] === true ? 'unchanged' : policy === null ? null : toPolicy(policy),
    devices: toCounts(row['counts']),
    pending: {
      replan: row['replan'] === true,
      assign: row['assign'] === true,
      retries: row['retries'] === true,
      dueRetries: row['due'] === true,
    },
    unresolved: toUnresolved(row),
    session: toSession(tokenId, jsonValue(row['session']) as Row | null),
  };
}

/**
 * A sync run's end in one statement: the conditional token write, the run's outcome, the prune
 * (never the run it ends) and the lease release, as CTEs. @internal
 */
export async function endRun(db: PgDb, input: RunEndWrite): Promise<SyncRunEnd> {
  const { tokenId, runId, outcome, keep, token, lease } = input;
  const values: unknown[] = [
    tokenId,
    runId,
    outcome.status,
    outcome.report === null ? null : JSON.stringify(outcome.report),
    outcome.error === null ? null : JSON.stringify(outcome.error),
    keep,
  ];
  // The parameters in the order endRunSql numbers them.
  if (token !== null) values.push(...tokenPatchParams(token.patch), expectParam(token.expect));
  const c = lease !== null ? input.cursor : null;
  if (lease !== null && c !== null) {
    const fu = c.fetchedUntil;
    values.push(c.expectedCursor, c.nextCursor, c.phase, false, null, null);
    values.push(fu !== undefined, fu ?? null, lease.generation, lease.owner);
  }
  if (lease !== null) values.push(lease.owner, lease.generation);
  const shape = { token: token !== null, cursor: c !== null, lease: lease !== null };
  const sql = db.text(`end-run:${shape.token}:${shape.cursor}:${shape.lease}`, () =>
    endRunSql(db.s, shape),
  );
  const r = await db.q(sql, values);
  const row = (r.rows[0] ?? {}) as Row;
  const run = jsonValue(row['run']) as Row | null;
  const stored = jsonValue(row['token'] ?? null) as Row | null;
  const cursor = jsonValue(row['cursor'] ?? null) as Row | null;
  return {
    run: run === null ? null : toRun(run),
    token: stored === null ? null : toToken(stored),
    pruned: Number(row['pruned'] ?? 0),
    released: row['released'] === true,
    ...(input.cursor === null ? {} : { cursor: cursor === null ? null : toCursor(cursor) }),
  };
}

/**
 * The end statement of one shape: the conditional token write (`token`), the last page's cursor
 * under the lease (`cursor`), the run's outcome, the prune (never the run it ends) and the lease
 * release (`lease`), as CTEs. `$1`–`$6`: token, run id, status, report, error, runs kept; then
 * the token patch and expectation (5), the cursor (10) and the lease (2) parameters, each when
 * present, in the order {@link endRun} pushes them.
 */
function endRunSql(s: string, shape: { token: boolean; cursor: boolean; lease: boolean }): string {
  let n = 6;
  const next = (): string => `$${++n}`;
  const ctes = [
    `r AS (UPDATE ${s}.sync_runs SET status = $3, finished_at = ${NOW_ISO}, report = $4::jsonb,
      error = $5::jsonb WHERE token_id = $1 AND run_id = $2 RETURNING ${RUN_COLS})`,
    `x AS (DELETE FROM ${s}.sync_runs WHERE token_id = $1 AND run_id <> $2 AND run_id NOT IN
      (SELECT run_id FROM ${s}.sync_runs WHERE token_id = $1 ORDER BY run_id DESC LIMIT $6) RETURNING 1)`,
  ];
  const outs = ['(SELECT row_to_json(r) FROM r) AS run', '(SELECT count(*) FROM x)::int AS pruned'];
  if (shape.token) {
    const patch = [next(), next(), next(), next()];
    ctes.unshift(`t AS (${updateSql(s, '$1', patch, next())})`);
    outs.push('(SELECT row_to_json(t) FROM t) AS token');
  }
  if (shape.cursor) {
    // The last page's cursor, fenced like a page write (the lease row read before its release).
    ctes.unshift(
      cursorCasSql(s, {
        ...{ token: '$1', expected: next(), cursor: next(), phase: next(), setFf: next() },
        ...{ ff: next(), lastFull: next(), setFu: next(), fu: next() },
        ...{ generation: next(), owner: next() },
      }),
    );
    outs.push('(SELECT row_to_json(c) FROM c) AS cursor');
  }
  if (shape.lease) {
    const owner = next();
    const generation = next();
    ctes.push(`l AS (UPDATE ${s}.leases SET owner = NULL, expires_at = now()
      WHERE token_id = $1 AND owner = ${owner} AND generation = ${generation}
      RETURNING 1)`);
    outs.push('EXISTS (SELECT 1 FROM l) AS released');
  }
  return `WITH ${ctes.join(', ')} SELECT ${outs.join(', ')}`;
}

/**
 * The start's policy: `policy_unchanged` when `$10`/`$11` (knownPolicy's revision and
 * updatedAt) name the stored one, else the document as `policy` (read only then: a policy can
 * name thousands of serials).
 */
function policySql(s: string): string {
  const unchanged = `EXISTS (SELECT 1 FROM p WHERE p.revision = $10::int AND p.updated_at = $11::text)`;
  return `${unchanged} AS policy_unchanged, CASE WHEN ${unchanged} THEN NULL
      ELSE (SELECT row_to_json(x) FROM (SELECT ${POLICY_COLS} FROM ${s}.policies WHERE token_id = $1) x) END AS policy`;
}

/** The start statement ({@link beginRun}); its parameters are described there and below. */
function beginRunSql(s: string): string {
  // `$6`, `$7`: with skipIfSyncedWithin, the lease is taken only while the token's lastSyncAt
  // is not in [$6, $7] (judged in this statement's snapshot, like the lease itself).
  const recent = `EXISTS (SELECT 1 FROM ${s}.tokens WHERE token_id = $1 AND $6::text IS NOT NULL
    AND (state->>'lastSyncAt') COLLATE "C" >= $6::text AND (state->>'lastSyncAt') COLLATE "C" <= $7::text)`;
  // `$8`, `$9`: with ifTokenUnchanged, nothing starts when the stored token's updatedAt or
  // credentialsId differ from them, or it is gone.
  const changed = `($8::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${s}.tokens WHERE token_id = $1
    AND updated_at = $8::text AND (state->>'credentialsId') IS NOT DISTINCT FROM $9::text))`;
  // A run that ends while this statement waits for the lease row (its end releases the lease
  // and stamps lastSyncAt in one statement) is not in this statement's snapshot: its release
  // time, on the lease row as committed, says so. Nothing is taken then (answered as held).
  const released = `NOT ($6::text IS NOT NULL AND l.owner IS NULL AND l.expires_at >= $6::timestamptz)`;
  return `WITH l AS (${acquireSql(s, `NOT ${recent} AND NOT ${changed}`, released)}),
    r AS (INSERT INTO ${s}.sync_runs (token_id, run_id, owner, status, started_at)
      SELECT $1, $4, $2, 'running', ${NOW_ISO} FROM l RETURNING ${RUN_COLS}),
    p AS (SELECT revision, updated_at FROM ${s}.policies WHERE token_id = $1)
    SELECT (SELECT row_to_json(l) FROM l) AS lease, (SELECT row_to_json(r) FROM r) AS run,
      (SELECT row_to_json(c) FROM (SELECT ${CURSOR_COLS} FROM ${s}.cursors WHERE token_id = $1) c) AS cursor,
      ${policySql(s)},
      (SELECT json_object_agg(status, n) FROM ${s}.device_counts WHERE token_id = $1 AND n <> 0) AS counts,
      ${replanCheckSql(s, 'COALESCE((SELECT revision FROM p), 0)')} AS replan,
      EXISTS (SELECT 1 FROM ${s}.devices WHERE token_id = $1 AND ${pendingAssignmentSql(s)}) AS assign,
      EXISTS (SELECT 1 FROM ${s}.retries WHERE token_id = $1) AS retries,
      EXISTS (SELECT 1 FROM ${s}.retries WHERE token_id = $1 AND ${dueSql('$5::text')}) AS due,
      ${recent} AS recent, ${changed} AS changed, ${unresolvedSql(s)},
      (SELECT row_to_json(x) FROM (SELECT session_token, ${iso('expires_at')} AS expires_at,
        updated_at FROM ${s}.sessions WHERE token_id = $1 AND expires_at > now()) x) AS session
`;
}
