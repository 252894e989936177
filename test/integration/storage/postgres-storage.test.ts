import { randomBytes } from 'node:crypto';
import pg from 'pg';
import * as vitest from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../../../src/storage/postgres/index.js';
import { describeStorageConformance } from '../../../src/testing/index.js';
import { shouldRun } from './services.js';

const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = await shouldRun('PostgreSQL', url, 5432);
const pool = new pg.Pool({ connectionString: url, max: 20 });
const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
let n = 0;
const schemas: string[] = [];

afterAll(async () => {
  for (const s of schemas)
    await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
  await pool.end();
});

async function freshSchema(): Promise<string> {
  const schema = `abmkit_t_${runId}_${n++}`;
  schemas.push(schema);
  return schema;
}

/** A fresh schema as `migrate()` leaves it at `version` (migrations 1 to `version` applied). */
async function schemaAtVersion(version: number): Promise<string> {
  const schema = await freshSchema();
  const { MIGRATIONS } = await import('../../../src/storage/postgres/migrations.js');
  await pool.query(`CREATE SCHEMA "${schema}"`);
  for (const m of MIGRATIONS.slice(0, version)) await pool.query(m.sql(`"${schema}"`));
  await pool.query(
    `CREATE TABLE "${schema}".abmkit_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  await pool.query(
    `INSERT INTO "${schema}".abmkit_migrations (version) SELECT generate_series(1, $1::int)`,
    [version],
  );
  return schema;
}

async function dump(schema: string): Promise<string> {
  const tables = await pool.query(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
    [schema],
  );
  const out: string[] = [];
  for (const t of tables.rows as { table_name: string }[]) {
    const r = await pool.query(`SELECT t::text AS row FROM "${schema}"."${t.table_name}" t`);
    for (const row of r.rows as { row: string }[]) out.push(row.row);
  }
  return out.join('\n');
}

describe.skipIf(!run)('PostgresStorage', () => {
  describeStorageConformance(
    'PostgresStorage',
    async (ctx) => {
      const schema = await freshSchema();
      const storage = new PostgresStorage({ ...ctx, pool, schema });
      await storage.migrate();
      return {
        storage,
        rawDump: () => dump(schema),
        openPeer: async (peerCtx) => new PostgresStorage({ ...peerCtx, pool, schema }),
        cleanup: async () => {
          await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
    { runner: vitest, shortTtlMs: 300 },
  );

  describe('PostgresStorage extras', () => {
    it('migrates explicitly and idempotently, recording versions', async () => {
      const schema = await freshSchema();
      const s = new PostgresStorage({ pool, schema });
      const before = await pool.query(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
        [schema],
      );
      expect(before.rows).toHaveLength(0);
      const [a, b] = await Promise.all([s.migrate(), s.migrate()]);
      expect([...a, ...b]).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(await s.migrate()).toEqual([]);
      const v = await pool.query(
        `SELECT version FROM "${schema}".abmkit_migrations ORDER BY version`,
      );
      expect(v.rows).toEqual([
        { version: 1 },
        { version: 2 },
        { version: 3 },
        { version: 4 },
        { version: 5 },
        { version: 6 },
        { version: 7 },
      ]);
    });

    it('migration 2 (profile served) upgrades a version-1 schema and keeps device statuses', async () => {
      const schema = await schemaAtVersion(1);
      await pool.query(
        `INSERT INTO "${schema}".devices (token_id, serial, device, first_seen_at, updated_at)
         VALUES ('t', 'A', '{"serial_number":"A","profile_status":"pushed"}', 'x', 'x')`,
      );
      const s = new PostgresStorage({ pool, schema });
      expect(await s.migrate()).toEqual([2, 3, 4, 5, 6, 7]);
      expect((await s.getDevice('t', 'A'))?.status).toBe('pushed');
      await s.updateDevices('t', [
        { serialNumber: 'A', profileServedAt: '2026-01-01T00:00:00.000Z' },
      ]);
      expect((await s.getDevice('t', 'A'))?.status).toBe('profile-served');
    });

    it('migration 3 counts the devices already stored, and the triggers keep the counts', async () => {
      const schema = await schemaAtVersion(2);
      await pool.query(
        `INSERT INTO "${schema}".devices (token_id, serial, device, first_seen_at, updated_at) VALUES
         ('t', 'A', '{"serial_number":"A","profile_status":"pushed"}', 'x', 'x'),
         ('t', 'B', '{"serial_number":"B"}', 'x', 'x'),
         ('u', 'A', '{"serial_number":"A"}', 'x', 'x')`,
      );
      const s = new PostgresStorage({ pool, schema });
      expect(await s.migrate()).toEqual([3, 4, 5, 6, 7]);
      expect(await s.countDevices('t')).toMatchObject({ pushed: 1, unassigned: 1 });
      // Every kind of write moves the counts: update, insert, delete (a token's deletion).
      await s.updateDevices('t', [{ serialNumber: 'B', enrolledAt: '2026-01-01T00:00:00.000Z' }]);
      await pool.query(
        `INSERT INTO "${schema}".devices (token_id, serial, device, first_seen_at, updated_at)
         VALUES ('t', 'C', '{"serial_number":"C"}', 'x', 'x')`,
      );
      expect(await s.countDevices('t')).toMatchObject({ pushed: 1, enrolled: 1, unassigned: 1 });
      await s.deleteToken('u');
      await s.saveToken('u', { customerId: 'c' });
      expect(Object.values(await s.countDevices('u')).every((n) => n === 0)).toBe(true);
    });

    it('migration 5 marks the devices already stored that wait for assignment', async () => {
      const schema = await schemaAtVersion(4);
      // W waits (resolved, neither assigned nor carrying it); A is assigned; R is removed.
      await pool.query(
        `INSERT INTO "${schema}".devices (token_id, serial, device, removed, resolved_profile_uuid,
           assigned_profile_uuid, first_seen_at, updated_at) VALUES
         ('t', 'W', '{"serial_number":"W"}', false, 'P', NULL, 'x', 'x'),
         ('t', 'A', '{"serial_number":"A"}', false, 'P', 'P', 'x', 'x'),
         ('t', 'R', '{"serial_number":"R"}', true, 'P', NULL, 'x', 'x')`,
      );
      const s = new PostgresStorage({ pool, schema });
      expect(await s.migrate()).toEqual([5, 6, 7]);
      const pending = await s.listDevices('t', { pendingAssignment: true });
      expect(pending.items.map((d) => d.serialNumber)).toEqual(['W']);
      await s.updateDevices('t', [{ serialNumber: 'W', assignedProfileUuid: 'P' }]);
      expect((await s.listDevices('t', { pendingAssignment: true })).items).toEqual([]);
    });

    it('migration 7 lists tokens and devices in bytewise order, as every other store, whatever the collation they had; a running replica keeps working', async () => {
      // A database whose default collation is a language's: the key columns as such a database
      // creates them (ICU root collation here: punctuation first, then letters of either case).
      const schema = await schemaAtVersion(6);
      const q = `"${schema}"`;
      await pool.query(
        `ALTER TABLE ${q}.tokens ALTER COLUMN token_id TYPE text COLLATE "und-x-icu";
         ALTER TABLE ${q}.devices ALTER COLUMN serial TYPE text COLLATE "und-x-icu"`,
      );
      const ids = ['a1', 'B2', '_c', 'A0'];
      for (const id of ids) {
        await pool.query(
          `INSERT INTO ${q}.tokens (token_id, doc, created_at, updated_at) VALUES ($1, '{}', 'x', 'x')`,
          [id],
        );
        await pool.query(
          `INSERT INTO ${q}.devices (token_id, serial, device, first_seen_at, updated_at)
           VALUES ('t', $1, jsonb_build_object('serial_number', $1::text), 'x', 'x')`,
          [id],
        );
      }
      // A replica running while another one migrates: its prepared statements return the old
      // column types, which PostgreSQL refuses afterwards; it prepares them again.
      const running = new PostgresStorage({ pool, schema });
      const tokenIds = async () => (await running.listTokens({})).items.map((t) => t.tokenId);
      const serials = async () => (await running.listDevices('t')).items.map((d) => d.serialNumber);
      expect(await tokenIds()).toEqual(['_c', 'A0', 'a1', 'B2']);
      expect(await serials()).toEqual(['_c', 'A0', 'a1', 'B2']);
      const s = new PostgresStorage({ pool, schema });
      expect(await s.migrate()).toEqual([7]);
      const bytewise = [...ids].sort();
      expect(await tokenIds()).toEqual(bytewise);
      expect(await serials()).toEqual(bytewise);
      // Pages follow the same order: two of two.
      const first = await s.listDevices('t', { limit: 2 });
      const second = await s.listDevices('t', { limit: 2, cursor: first.nextCursor! });
      expect([...first.items, ...second.items].map((d) => d.serialNumber)).toEqual(bytewise);
      const collations = await pool.query(
        `SELECT DISTINCT c.collname FROM information_schema.columns AS i
           JOIN pg_collation AS c ON c.collname = i.collation_name
         WHERE i.table_schema = $1 AND i.column_name IN ('token_id', 'serial', 'run_id')`,
        [schema],
      );
      expect(collations.rows).toEqual([{ collname: 'C' }]);
    });

    it("a run's start reads the devices waiting for assignment from their index, not every device of the token", async () => {
      // Migration 5's partial index must stay implied by pendingAssignmentSql (the run start's
      // and the pending listing's condition); otherwise every run reads all of a token's devices.
      const schema = await freshSchema();
      const s = new PostgresStorage({ pool, schema });
      await s.migrate();
      const { pendingAssignmentSql } = await import('../../../src/storage/postgres/devices.js');
      const q = `"${schema}"`;
      await pool.query(
        `INSERT INTO ${q}.devices (token_id, serial, device, resolved_profile_uuid,
           assigned_profile_uuid, first_seen_at, updated_at)
         SELECT 't', 'S' || i, jsonb_build_object('serial_number', 'S' || i), 'P', 'P', 'x', 'x'
         FROM generate_series(1, 2000) AS i`,
      );
      await pool.query(`ANALYZE ${q}.devices`);
      const plan = await pool.query(
        `EXPLAIN (FORMAT JSON) SELECT EXISTS (SELECT 1 FROM ${q}.devices WHERE token_id = 't'
           AND ${pendingAssignmentSql(q)})`,
      );
      const text = JSON.stringify(plan.rows[0]);
      expect(text).toContain('devices_pending_assignment_idx');
      const list = await s.listDevices('t', { pendingAssignment: true });
      expect(list.items).toEqual([]);
    });

    it('migration 4 moves the sync state out of the token document; a run leaves the document as stored', async () => {
      const { MIGRATIONS } = await import('../../../src/storage/postgres/migrations.js');
      const { STATE_KEYS } = await import('../../../src/storage/postgres/tokens.js');
      const v4 = MIGRATIONS.find((m) => m.version === 4)?.sql('"x"') ?? '';
      for (const key of STATE_KEYS) expect(v4).toContain(`'${key}'`);
      const schema = await schemaAtVersion(3);
      const doc = {
        customerId: 'c',
        credentialsId: 'cred-1',
        lastSyncAt: '2026-01-01T00:00:00.000Z',
        syncHealth: { failing: false },
        account: { org_name: 'Org' },
      };
      await pool.query(
        `INSERT INTO "${schema}".tokens (token_id, customer_id, doc, created_at, updated_at)
         VALUES ('t', 'c', $1::jsonb, 'x', '2026-01-01T00:00:00.000Z')`,
        [JSON.stringify(doc)],
      );
      const s = new PostgresStorage({ pool, schema });
      expect(await s.migrate()).toEqual([4, 5, 6, 7]);
      expect(await s.getToken('t')).toMatchObject(doc);
      const row = async () =>
        (await pool.query(`SELECT doc, state FROM "${schema}".tokens`)).rows[0] as {
          doc: Record<string, unknown>;
          state: Record<string, unknown>;
        };
      expect((await row()).doc).toEqual({ customerId: 'c', account: { org_name: 'Org' } });
      expect((await row()).state).toEqual({
        credentialsId: 'cred-1',
        lastSyncAt: '2026-01-01T00:00:00.000Z',
        syncHealth: { failing: false },
      });
      // A run's write: state fields only, under the credentials expectation.
      const written = await s.updateToken(
        't',
        { lastSyncAt: '2026-02-01T00:00:00.000Z', lastError: null },
        { credentialsId: 'cred-1' },
      );
      expect(written).toMatchObject({ ...doc, lastSyncAt: '2026-02-01T00:00:00.000Z' });
      expect((await row()).doc).toEqual({ customerId: 'c', account: { org_name: 'Org' } });
      expect(await s.updateToken('t', { lastSyncAt: 'x' }, { credentialsId: 'other' })).toBeNull();
      // A document field and a state field in one write; removal from either.
      await s.saveToken('t', { siteId: 'hq', healthStatus: 'valid', syncHealth: null });
      expect((await row()).doc).toEqual({
        customerId: 'c',
        siteId: 'hq',
        account: { org_name: 'Org' },
      });
      expect((await row()).state).toEqual({
        credentialsId: 'cred-1',
        lastSyncAt: '2026-02-01T00:00:00.000Z',
        healthStatus: 'valid',
      });
      expect((await s.listTokens({ siteId: 'hq' })).items.map((t) => t.tokenId)).toEqual(['t']);
    });

    /** The plan of `sql` (`$schema` replaced) on a fresh, migrated schema, with seqscans off. */
    async function planOf(sql: string): Promise<string> {
      const schema = await freshSchema();
      await new PostgresStorage({ pool, schema }).migrate();
      const client = await pool.connect();
      try {
        await client.query('SET enable_seqscan = off');
        const plan = await client.query(`EXPLAIN ${sql.replaceAll('$schema', `"${schema}"`)}`);
        return JSON.stringify(plan.rows);
      } finally {
        client.release();
      }
    }

    it('finds due retries through an index in the order the due query compares in', async () => {
      const plan = await planOf(
        `SELECT * FROM $schema.retries WHERE token_id = 't'
           AND next_attempt_at IS NOT NULL AND next_attempt_at COLLATE "C" <= 'z'
         ORDER BY next_attempt_at COLLATE "C", serial COLLATE "C" LIMIT 10`,
      );
      expect(plan).toContain('retries_due_idx');
      expect(plan).not.toContain('Sort');
    });

    it('uses an index for serial lookups across tokens', async () => {
      expect(await planOf(`SELECT * FROM $schema.devices WHERE serial = 'X'`)).toContain(
        'devices_serial_idx',
      );
    });

    it('runs with prepared statements off (a pooler that cannot keep them), and checks the option', async () => {
      const schema = await freshSchema();
      const plain = new PostgresStorage({ pool, schema, preparedStatements: false });
      await plain.migrate();
      // Statements reach the pool as text, never as named config objects.
      const seen: unknown[] = [];
      const spy = new PostgresStorage({
        pool: {
          query: (text: unknown, values?: unknown[]) => {
            seen.push(text);
            return pool.query(text as string, values);
          },
          connect: () => pool.connect(),
        },
        schema,
        preparedStatements: false,
      });
      await spy.saveToken('t', { name: 'HQ' });
      expect((await spy.getToken('t'))?.name).toBe('HQ');
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((t) => typeof t === 'string')).toBe(true);
      // By default they are prepared: named, one name per text.
      const named: { name?: string; text: string }[] = [];
      const prepared = new PostgresStorage({
        pool: {
          query: (config: unknown, values?: unknown[]) => {
            if (typeof config === 'object') named.push(config as { name?: string; text: string });
            return pool.query(config as string, values);
          },
          connect: () => pool.connect(),
        },
        schema,
      });
      await prepared.getToken('t');
      await prepared.getToken('t');
      await prepared.saveToken('t', { name: 'HQ 2' });
      expect(named.map((c) => c.name?.startsWith('abmkit_'))).toEqual([true, true, true]);
      expect(named[0]?.name).toBe(named[1]?.name);
      expect(named[2]?.name).not.toBe(named[0]?.name);
      expect(
        () =>
          new PostgresStorage({ pool, schema, preparedStatements: 'yes' as unknown as boolean }),
      ).toThrow(/preparedStatements/);
    });

    it('rejects an unsafe schema name and a missing pool', () => {
      expect(() => new PostgresStorage({ pool, schema: 'x; DROP TABLE y' })).toThrowError(
        /Schema name/,
      );
      expect(() => new PostgresStorage({} as never)).toThrowError(/pg/);
    });

    it('pages due retries in the same order under a language collation of the serial column', async () => {
      const icu = await pool.query(`SELECT 1 FROM pg_collation WHERE collname = 'en-x-icu'`);
      if (icu.rows.length === 0) return; // no ICU collations in this server
      const schema = await freshSchema();
      const s = new PostgresStorage({ pool, schema });
      await s.migrate();
      await pool.query(
        `ALTER TABLE "${schema}".retries ALTER COLUMN serial TYPE text COLLATE "en-x-icu"`,
      );
      const at = '2026-01-01T00:00:00.000Z';
      await s.recordAssignmentResults(
        't',
        ['a', 'B', 'c'].map((serialNumber) => ({
          serialNumber,
          profileUuid: 'P',
          status: 'FAILED' as const,
          nextAttemptAt: at,
        })),
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await s.listDueRetries('t', { now: at, limit: 1, cursor });
        seen.push(...page.items.map((r) => r.serialNumber));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(seen).toEqual(['B', 'a', 'c']);
    });

    it('fences a paused replica across two store instances on one database', async () => {
      const schema = await freshSchema();
      const a = new PostgresStorage({ pool, schema });
      const b = new PostgresStorage({ pool, schema });
      await a.migrate();
      const ga = await a.acquireLease('t', 'replica-a', 60_000);
      expect(await b.acquireLease('t', 'replica-b', 60_000)).toBeNull();
      // Replica a pauses past its lease: moved in the database rather than slept through (a
      // 200 ms lease could run out on a loaded machine before b's first attempt).
      await pool.query(`UPDATE ${schema}.leases SET expires_at = now() - interval '1 second'`);
      const gb = await b.acquireLease('t', 'replica-b', 60_000);
      expect(gb?.generation).toBe((ga?.generation ?? 0) + 1);
      await expect(
        a.applyPage({
          tokenId: 't',
          generation: ga?.generation ?? 0,
          expectedCursor: null,
          nextCursor: 'x',
          phase: 'full',
          devices: [{ serial_number: 'A' }],
        }),
      ).rejects.toMatchObject({ code: 'LEASE_LOST' });
      await b.applyPage({
        tokenId: 't',
        generation: gb?.generation ?? 0,
        expectedCursor: null,
        nextCursor: 'y',
        phase: 'full',
        devices: [{ serial_number: 'B' }],
      });
      expect((await a.getCursor('t'))?.cursor).toBe('y');
    });

    it('beginSyncRun waiting for a run that ends meanwhile does not start the token again', async () => {
      const schema = await freshSchema();
      const x = new PostgresStorage({ pool, schema, encryptionKey: randomBytes(32) });
      const y = new PostgresStorage({ pool, schema, encryptionKey: randomBytes(32) });
      await x.migrate();
      await x.saveToken('t', { name: 'HQ' });
      const around = (ms: number) => new Date(Date.now() + ms).toISOString();
      const started = await x.beginSyncRun({
        tokenId: 't',
        owner: 'X',
        ttlMs: 60_000,
        now: around(0),
      });
      expect(started).toMatchObject({ lease: { owner: 'X' } });
      const ending = await pool.connect();
      try {
        // X's run ends (lastSyncAt and the release in one transaction), not committed yet.
        await ending.query('BEGIN');
        await ending.query(
          `UPDATE ${schema}.tokens SET doc = doc || jsonb_build_object('lastSyncAt', $2::text) WHERE token_id = $1`,
          ['t', around(0)],
        );
        await ending.query(
          `UPDATE ${schema}.leases SET owner = NULL, expires_at = now() WHERE token_id = $1`,
          ['t'],
        );
        // Y's start now waits for the lease row; its snapshot predates X's end.
        const begin = y.beginSyncRun({
          tokenId: 't',
          owner: 'Y',
          ttlMs: 60_000,
          now: around(0),
          skipIfSyncedWithin: { from: around(-60_000), to: around(60_000) },
        });
        // Bounded: a start that never waits fails the test instead of hanging it.
        let waited = false;
        for (let i = 0; i < 3000 && !waited; i++) {
          const waiting = await pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position($1 in query) > 0`,
            [`${schema}".leases`],
          );
          waited = waiting.rowCount !== 0;
          if (!waited) await new Promise((r) => setTimeout(r, 10));
        }
        expect(waited).toBe(true);
        await ending.query('COMMIT');
        const answer = await begin;
        expect(answer === null || answer === 'recently-synced').toBe(true);
        expect(await x.getLease('t')).toBeNull();
        expect((await x.listSyncRuns('t')).items).toHaveLength(1);
      } finally {
        await ending.query('ROLLBACK').catch(() => undefined);
        ending.release();
      }
    });
  });
});
