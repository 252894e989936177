import type { PgDb } from './query.js';

/** SQL expression: the database's now as an ISO string with ms. @internal */
export const NOW_ISO = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The keys migration 4 moved from a token's `doc` to its `state` (frozen with it). */
const TOKEN_STATE_KEYS_V4 = `ARRAY['credentialsId', 'healthStatus', 'healthChangedAt', 'healthNotified',
  'lastSyncAt', 'lastSuccessfulSyncAt', 'lastError', 'syncHealth']::text[]`;

/** The columns migration 7 gives the collation "C", by table (frozen with it). */
const KEY_COLUMNS_V7: Readonly<Record<string, readonly string[]>> = {
  tokens: ['token_id', 'customer_id', 'site_id'],
  sessions: ['token_id'],
  leases: ['token_id'],
  cursors: ['token_id'],
  devices: ['token_id', 'serial'],
  device_counts: ['token_id'],
  policies: ['token_id'],
  retries: ['token_id', 'serial'],
  sync_runs: ['token_id', 'run_id'],
};

/** Formats a timestamptz column as ISO. @internal */
export const iso = (col: string): string =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The versioned migrations, in order. `s` is the quoted schema name. Timestamps of records are
 * stored as normalised ISO text (they sort correctly); lease and session expiry use timestamptz
 * and the database clock.
 *
 * `devices` is created with `fillfactor = 50`: its rows are rewritten often (every sync delivers
 * Apple's latest record), and half-full pages leave room for the new row version on the same page,
 * so updates that change no indexed column are HOT (no index writes). Measured: page updates about
 * 1.5x faster than at fillfactor 85, inserts unchanged; the table takes about twice the space.
 * @internal
 */
export const MIGRATIONS: readonly { version: number; sql: (s: string) => string }[] = [
  {
    version: 1,
    sql: (s) => `
CREATE TABLE ${s}.tokens (
  token_id text PRIMARY KEY,
  customer_id text,
  site_id text,
  doc jsonb NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL
);
CREATE INDEX tokens_customer_site_idx ON ${s}.tokens (customer_id, site_id, token_id);
CREATE TABLE ${s}.sessions (
  token_id text PRIMARY KEY,
  session_token text NOT NULL,
  expires_at timestamptz NOT NULL,
  updated_at text NOT NULL
);
CREATE TABLE ${s}.leases (
  token_id text PRIMARY KEY,
  owner text,
  generation integer NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE ${s}.cursors (
  token_id text PRIMARY KEY,
  cursor text,
  phase text NOT NULL,
  full_fetch_id text,
  last_full_fetch_at text,
  fetched_until text,
  updated_at text NOT NULL
);
CREATE TABLE ${s}.devices (
  token_id text NOT NULL,
  serial text NOT NULL,
  device jsonb NOT NULL,
  op_date text,
  op_type text,
  removed boolean NOT NULL DEFAULT false,
  prev_removed boolean,
  removed_at text,
  resolved_profile_uuid text,
  unassigned_reason text,
  plan_revision integer,
  assigned_profile_uuid text,
  assigned_at text,
  enrolled_at text,
  full_fetch_id text,
  first_seen_at text NOT NULL,
  updated_at text NOT NULL,
  status text GENERATED ALWAYS AS (
    CASE
      WHEN removed THEN 'removed'
      WHEN enrolled_at IS NOT NULL THEN 'enrolled'
      WHEN device->>'profile_status' = 'pushed' THEN 'pushed'
      WHEN device->>'profile_status' = 'assigned' OR assigned_profile_uuid IS NOT NULL THEN 'assigned'
      ELSE 'unassigned'
    END
  ) STORED,
  PRIMARY KEY (token_id, serial)
) WITH (fillfactor = 50);
CREATE INDEX devices_serial_idx ON ${s}.devices (serial);
CREATE INDEX devices_status_idx ON ${s}.devices (token_id, status, serial);
CREATE INDEX devices_unresolved_idx ON ${s}.devices (token_id, serial)
  WHERE resolved_profile_uuid IS NULL AND NOT removed;
CREATE TABLE ${s}.policies (
  token_id text PRIMARY KEY,
  policy jsonb NOT NULL,
  revision integer NOT NULL,
  updated_at text NOT NULL
);
CREATE TABLE ${s}.retries (
  token_id text NOT NULL,
  serial text NOT NULL,
  profile_uuid text NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL,
  next_attempt_at text,
  last_error text,
  updated_at text NOT NULL,
  PRIMARY KEY (token_id, serial)
);
CREATE INDEX retries_due_idx ON ${s}.retries (token_id, next_attempt_at, serial)
  WHERE next_attempt_at IS NOT NULL;
CREATE TABLE ${s}.sync_runs (
  token_id text NOT NULL,
  run_id text NOT NULL,
  owner text,
  status text NOT NULL,
  started_at text NOT NULL,
  finished_at text,
  report jsonb,
  error jsonb,
  PRIMARY KEY (token_id, run_id)
);
`,
  },
  {
    // Enrollment endpoint: when the enrollment profile was served, and the status it implies.
    version: 2,
    sql: (s) => `
ALTER TABLE ${s}.devices ADD COLUMN profile_served_at text;
DROP INDEX ${s}.devices_status_idx;
ALTER TABLE ${s}.devices DROP COLUMN status;
ALTER TABLE ${s}.devices ADD COLUMN status text GENERATED ALWAYS AS (
  CASE
    WHEN removed THEN 'removed'
    WHEN enrolled_at IS NOT NULL THEN 'enrolled'
    WHEN profile_served_at IS NOT NULL THEN 'profile-served'
    WHEN device->>'profile_status' = 'pushed' THEN 'pushed'
    WHEN device->>'profile_status' = 'assigned' OR assigned_profile_uuid IS NOT NULL THEN 'assigned'
    ELSE 'unassigned'
  END
) STORED;
CREATE INDEX devices_status_idx ON ${s}.devices (token_id, status, serial);
`,
  },
  {
    // Device counts per token and status, kept by statement-level triggers (one aggregate per
    // writing statement, from its transition tables) so that a count is one index read, not a
    // scan of the token's devices; and the due-retries index in the bytewise order the due query
    // compares and sorts in.
    version: 3,
    sql: (s) => `
CREATE TABLE ${s}.device_counts (
  token_id text NOT NULL,
  status text NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (token_id, status)
);
CREATE FUNCTION ${s}.abmkit_count_devices() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ${s}.device_counts AS c (token_id, status, n)
      SELECT token_id, status, count(*) FROM abmkit_new GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (token_id, status) DO UPDATE SET n = c.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE ${s}.device_counts AS c SET n = c.n - o.n
      FROM (SELECT token_id, status, count(*) AS n FROM abmkit_old GROUP BY 1, 2) AS o
      WHERE c.token_id = o.token_id AND c.status = o.status;
  ELSE
    INSERT INTO ${s}.device_counts AS c (token_id, status, n)
      SELECT token_id, status, sum(d) FROM (
        SELECT token_id, status, 1 AS d FROM abmkit_new
        UNION ALL SELECT token_id, status, -1 FROM abmkit_old
      ) AS x GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
      ON CONFLICT (token_id, status) DO UPDATE SET n = c.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER devices_count_insert AFTER INSERT ON ${s}.devices
  REFERENCING NEW TABLE AS abmkit_new FOR EACH STATEMENT EXECUTE FUNCTION ${s}.abmkit_count_devices();
CREATE TRIGGER devices_count_update AFTER UPDATE ON ${s}.devices
  REFERENCING OLD TABLE AS abmkit_old NEW TABLE AS abmkit_new
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.abmkit_count_devices();
CREATE TRIGGER devices_count_delete AFTER DELETE ON ${s}.devices
  REFERENCING OLD TABLE AS abmkit_old FOR EACH STATEMENT EXECUTE FUNCTION ${s}.abmkit_count_devices();
LOCK TABLE ${s}.devices IN SHARE MODE;
INSERT INTO ${s}.device_counts (token_id, status, n)
  SELECT token_id, status, count(*) FROM ${s}.devices GROUP BY 1, 2;
DROP INDEX ${s}.retries_due_idx;
CREATE INDEX retries_due_idx ON ${s}.retries
  (token_id, next_attempt_at COLLATE "C", serial COLLATE "C") WHERE next_attempt_at IS NOT NULL;
`,
  },
  {
    // The token fields every sync run writes (and credentialsId, which every run compares) in
    // their own column, so that a run's write leaves the large document (key pairs, sealed
    // credentials, account) as it is: no TOAST rewrite and no document read per run. The keys
    // are tokens.ts's STATE_KEYS as of this version.
    version: 4,
    sql: (s) => `
ALTER TABLE ${s}.tokens ADD COLUMN state jsonb NOT NULL DEFAULT '{}'::jsonb;
UPDATE ${s}.tokens SET
  state = COALESCE((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(doc) AS e
    WHERE e.key = ANY(${TOKEN_STATE_KEYS_V4})), '{}'::jsonb),
  doc = doc - ${TOKEN_STATE_KEYS_V4};
`,
  },
  {
    // Whether a device waits for an automatic assignment, as a stored column with a partial
    // index of the waiting devices (devices.ts's pendingAssignmentSql reads it). A sync run's
    // start asks whether any device is left waiting; before this, that question read every
    // device of the token on every run, no-change runs included (a condition between columns
    // has no statistics, so an index on the condition itself was not chosen). Only waiting
    // devices are in the index, so a device's write adds to it only while the device waits.
    version: 5,
    sql: (s) => `
ALTER TABLE ${s}.devices ADD COLUMN pending_assignment boolean GENERATED ALWAYS AS (
  NOT removed AND resolved_profile_uuid IS NOT NULL
    AND resolved_profile_uuid IS DISTINCT FROM device->>'profile_uuid'
    AND resolved_profile_uuid IS DISTINCT FROM assigned_profile_uuid
) STORED;
CREATE INDEX devices_pending_assignment_idx ON ${s}.devices (token_id, serial)
  WHERE pending_assignment;
`,
  },
  {
    // The plan revision of the token's devices, indexed: a sync run's start asks whether any
    // device was planned under another policy revision than the current one (devices.ts's
    // replanCheckSql): three index probes instead of a read of every device of the token on
    // every run.
    version: 6,
    sql: (s) => `
CREATE INDEX devices_plan_revision_idx ON ${s}.devices (token_id, plan_revision) WHERE NOT removed;
`,
  },
  {
    // The key columns (token ids, serial numbers, run ids, a token's customer and site) in the
    // bytewise collation "C", whatever the database's default: the order in which every other
    // store lists and pages (JavaScript's string order), and comparisons that are a memcmp, not
    // a locale's strcoll (under C.UTF-8 or a language collation, the devices' index comparisons
    // took about a tenth of PostgreSQL's CPU in a sync). The tables are not rewritten; the
    // indexes on these columns are rebuilt.
    version: 7,
    sql: (s) =>
      Object.entries(KEY_COLUMNS_V7)
        .map(
          ([table, cols]) =>
            `ALTER TABLE ${s}.${table} ${cols.map((c) => `ALTER COLUMN ${c} TYPE text COLLATE "C"`).join(', ')};`,
        )
        .join('\n'),
  },
];

/**
 * Creates the schema and applies pending migrations in one transaction, serialised between
 * replicas by a transaction-scoped advisory lock. Returns the versions applied now. @internal
 */
export function migrate(db: PgDb): Promise<number[]> {
  return db.tx(async (c) => {
    await db.q('SELECT pg_advisory_xact_lock(hashtext($1))', [`abmkit:${db.schema}`], c);
    await db.q(`CREATE SCHEMA IF NOT EXISTS ${db.s}`, [], c);
    await db.q(
      `CREATE TABLE IF NOT EXISTS ${db.s}.abmkit_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      [],
      c,
    );
    const done = new Set(
      (await db.q(`SELECT version FROM ${db.s}.abmkit_migrations`, [], c)).rows.map((r) =>
        Number(r['version']),
      ),
    );
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await db.q(m.sql(db.s), [], c);
      await db.q(`INSERT INTO ${db.s}.abmkit_migrations (version) VALUES ($1)`, [m.version], c);
      applied.push(m.version);
    }
    return applied;
  });
}
