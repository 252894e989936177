/**
 * Round trips of a no-change sync run of one token (issue #13): every `query` on every pooled
 * PostgreSQL client and every Redis command is counted, so a regression fails deterministically.
 * No timing. bench/no-change-counts.ts prints the same counts for every store.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AbmManager, type AbmStorage, profilePreset } from '../../../src/index.js';
import { PostgresStorage } from '../../../src/storage/postgres/index.js';
import { RedisStorage } from '../../../src/storage/redis/index.js';
import { createDepSimulator } from '../../../src/testing/index.js';
import { shouldRun } from '../storage/services.js';
import { DATABASE_URL, KEY, REDIS_URL } from './stores.js';

/**
 * PostgreSQL statements of a no-change run of one token (with a policy): the target of issue #13.
 * It was 23 before the storage redesign (#12) and 20 after it (token read, lease take and release,
 * run insert + update + prune, policy, retries twice, 3 × `SELECT now()`, 2 status counts, cursor
 * read, 3 device reads, BEGIN + fence + cursor update + COMMIT, token rewrite), then 6 with the
 * one-step run start and end. Now two: `beginSyncRun` (lease, run record, cursor, policy,
 * counters, pending-work checks, unresolved devices; the token as the last run left it, so it is
 * not read first) and `endSyncRun` (the empty page's cursor under the lease, token sync state,
 * run record, prune, lease release). A run that writes no device record reports the counters and
 * unresolved devices its start read.
 */
const MAX_PG_STATEMENTS_NO_CHANGE = 2;
/**
 * Redis commands of the same run: 34 before the redesign, 30 after it, 29 with the run start and
 * end composed from single commands, 6 with them in one script each. Now the same two steps as
 * PostgreSQL: `beginSyncRun` and `endSyncRun`, one script each.
 */
const MAX_REDIS_COMMANDS_NO_CHANGE = 2;
/** HTTP requests of the same run: the sync call (the session is reused). */
const MAX_HTTP_REQUESTS_NO_CHANGE = 1;
/**
 * The same run by a manager that has not run the token yet (a new process, or any scheduled run
 * after the client's in-process memory of the session has lapsed): it reads the token first; the
 * stored session comes with the run's start (it used to be one more read).
 */
const MAX_ROUND_TRIPS_FRESH_PROCESS = 3;

/**
 * PostgreSQL statements of the first sync of that token (20 devices on one page, a profile for
 * each; the session was stored when the profile was defined): the run's start, the page with its
 * plans and assignments, the run's end. The device counts and unresolved devices it reports come
 * from what it wrote (the token held no device), not from a fourth statement that read them back.
 */
const MAX_PG_STATEMENTS_FIRST_SYNC = 3;
/** Redis commands of the same first sync (25 while it read the counts back). */
const MAX_REDIS_COMMANDS_FIRST_SYNC = 24;

const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const pgUp = await shouldRun('PostgreSQL', DATABASE_URL, 5432);
const redisUp = await shouldRun('Redis', REDIS_URL, 6379);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A pool counting `query` calls of every client it creates (pool.query runs through one). */
function countedPool(): { pool: pg.Pool; count(): number } {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  let n = 0;
  pool.on('connect', (client) => {
    const query = client.query;
    client.query = function (this: pg.PoolClient, ...args: unknown[]) {
      n++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof client.query;
  });
  return { pool, count: () => n };
}

/** An ioredis client counting every command (pipelines and scripts included). */
function countedRedis(): { client: Redis; count(): number } {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let n = 0;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    n++;
    return send(...args);
  }) as Redis['sendCommand'];
  return { client, count: () => n };
}

/** First sync of one token (20 devices, all assigned), a settling run, a counted no-change run. */
async function noChangeRun(
  storage: AbmStorage,
  count: () => number,
): Promise<{
  roundTrips: number;
  http: number;
  firstRoundTrips: number;
  freshRoundTrips: number;
  freshHttp: number;
  queuedRoundTrips: number;
}> {
  const sim = createDepSimulator({ devices: 20, seed: 13 });
  const url = await sim.listen();
  cleanups.push(() => sim.close());
  const manager = new AbmManager({ storage, baseUrl: url, telemetry: false });
  cleanups.push(() => manager.stop());
  const pem = await manager.createKeyPair('t');
  await manager.uploadServerToken('t', (await sim.issueServerToken(pem)).file);
  const client = await manager.client('t');
  const { profile_uuid } = await client.defineProfile(
    profilePreset('automated', { name: 'All', url: 'https://m.example/e' }),
  );
  const p = profile_uuid;
  await manager.setPolicy('t', {
    osDefaults: { ios: p, ipados: p, macos: p, tvos: p, visionos: p, watchos: p },
  });
  const firstBefore = count();
  const first = await manager.syncNow('t');
  const firstRoundTrips = count() - firstBefore;
  expect(first).toMatchObject({ status: 'completed', fullFetch: true });
  expect(first.profiles.assigned).toBe(20);
  // Reported from what the run wrote (the token held no device), and what the store holds.
  expect(first.totals).toEqual(await storage.countDevices('t'));
  // Apple reports the assignments back as `modified`, in this run's sync pass or the next one
  // (depending on whether the simulator's clock ticked between them): a settling run takes them.
  expect((await manager.syncNow('t')).status).toBe('completed');

  const before = count();
  const requests = sim.counters.requests;
  const report = await manager.syncNow('t');
  const roundTrips = count() - before;
  expect(report.status).toBe('completed');
  expect(report.devices).toMatchObject({ added: 0, modified: 0, removed: 0 });
  expect(report.profiles.assigned).toBe(0);
  const http = sim.counters.requests - requests;

  // Another manager on the same store: no client, no session in memory, no known token.
  const fresh = new AbmManager({ storage, baseUrl: url, telemetry: false });
  cleanups.push(() => fresh.stop());
  const freshBefore = count();
  const freshRequests = sim.counters.requests;
  const again = await fresh.syncNow('t');
  expect(again.status).toBe('completed');
  expect(again.devices).toMatchObject({ added: 0, modified: 0, removed: 0 });
  const freshRoundTrips = count() - freshBefore;
  const freshHttp = sim.counters.requests - freshRequests;

  // A retry queue entry that is never due (Apple: this server cannot access the device): the
  // run plans nothing, so it does not read the queue either (it did, one more statement, until
  // the queue was read only for planning). The manager that ran last knows the token.
  const [device] = (await storage.listDevices('t', { limit: 1 })).items;
  await storage.recordAssignmentResults('t', [
    { serialNumber: device!.serialNumber, profileUuid: p, status: 'NOT_ACCESSIBLE' },
  ]);
  expect((await storage.listRetries('t')).items).toHaveLength(1);
  const queuedBefore = count();
  const queued = await fresh.syncNow('t');
  expect(queued.status).toBe('completed');
  expect(queued.profiles.assigned).toBe(0);
  return {
    roundTrips,
    http,
    firstRoundTrips,
    freshRoundTrips,
    freshHttp,
    queuedRoundTrips: count() - queuedBefore,
  };
}

describe('a no-change sync run of one token', () => {
  it.skipIf(!pgUp)('costs a bounded number of PostgreSQL statements', async () => {
    const { pool, count } = countedPool();
    const schema = `abmkit_stmts_${runId}`;
    cleanups.push(async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    });
    const storage = new PostgresStorage({ pool, schema, encryptionKey: KEY });
    await storage.migrate();
    const { roundTrips, http, firstRoundTrips, freshRoundTrips, freshHttp, queuedRoundTrips } =
      await noChangeRun(storage, count);
    console.info(
      `no-change run on PostgreSQL: ${roundTrips} statements, ${http} HTTP requests; by a fresh manager: ${freshRoundTrips}, ${freshHttp}; with a retry queued: ${queuedRoundTrips}; the first sync: ${firstRoundTrips}`,
    );
    expect(firstRoundTrips).toBeLessThanOrEqual(MAX_PG_STATEMENTS_FIRST_SYNC);
    expect(roundTrips).toBeLessThanOrEqual(MAX_PG_STATEMENTS_NO_CHANGE);
    expect(queuedRoundTrips).toBeLessThanOrEqual(MAX_PG_STATEMENTS_NO_CHANGE);
    expect(http).toBeLessThanOrEqual(MAX_HTTP_REQUESTS_NO_CHANGE);
    expect(freshRoundTrips).toBeLessThanOrEqual(MAX_ROUND_TRIPS_FRESH_PROCESS);
    expect(freshHttp).toBeLessThanOrEqual(MAX_HTTP_REQUESTS_NO_CHANGE);
  });

  it.skipIf(!redisUp)('costs a bounded number of Redis commands', async () => {
    const { client, count } = countedRedis();
    const prefix = `abmkit-cmds-${runId}`;
    cleanups.push(async () => {
      const keys = await client.keys(`${prefix}:*`);
      if (keys.length > 0) await client.del(...keys);
      client.disconnect();
    });
    const storage = new RedisStorage({ client, prefix, encryptionKey: KEY });
    const { roundTrips, http, firstRoundTrips, freshRoundTrips, freshHttp, queuedRoundTrips } =
      await noChangeRun(storage, count);
    console.info(
      `no-change run on Redis: ${roundTrips} commands, ${http} HTTP requests; by a fresh manager: ${freshRoundTrips}, ${freshHttp}; with a retry queued: ${queuedRoundTrips}; the first sync: ${firstRoundTrips}`,
    );
    expect(firstRoundTrips).toBeLessThanOrEqual(MAX_REDIS_COMMANDS_FIRST_SYNC);
    expect(roundTrips).toBeLessThanOrEqual(MAX_REDIS_COMMANDS_NO_CHANGE);
    expect(queuedRoundTrips).toBeLessThanOrEqual(MAX_REDIS_COMMANDS_NO_CHANGE);
    expect(http).toBeLessThanOrEqual(MAX_HTTP_REQUESTS_NO_CHANGE);
    expect(freshRoundTrips).toBeLessThanOrEqual(MAX_ROUND_TRIPS_FRESH_PROCESS);
    expect(freshHttp).toBeLessThanOrEqual(MAX_HTTP_REQUESTS_NO_CHANGE);
  });
});
