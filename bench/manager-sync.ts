/**
 * Benchmark: `AbmManager` first sync + automatic assignment of 100,000 devices from the loopback
 * ADE simulator into FileStorage and into PostgreSQL, with peak memory; then 1,000 tokens of 100
 * devices each in one process under `start()` (staggered, bounded concurrency).
 *
 *   node --import tsx bench/manager-sync.ts [--devices 100000] [--tokens 1000]
 *
 * Baseline: a bare `fetch` + `res.json()` loop over the same full fetch (1000 per page) from the
 * same simulator, with no storage and no assignment. The simulator runs in a child process so
 * that its CPU time does not count against the manager. The first sync reads every device twice
 * (the full fetch, then the sync pass in which Apple reports each assignment as `modified`) and
 * makes 100 assign-profile calls, so a ratio of about 2-3× the bare fetch is the floor.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { AbmManager, FileStorage, MemoryStorage, profilePreset } from '../src/index.js';
import { PostgresStorage } from '../src/storage/postgres/index.js';
import type { AbmStorage } from '../src/storage/types.js';
import { createDepSimulator } from '../src/testing/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DEVICES = arg('devices', 100_000);
const TOKENS = arg('tokens', 1000);
const KEY = Buffer.alloc(32, 9);
const OS_ALL = (p: string) => ({ ios: p, ipados: p, macos: p, tvos: p, visionos: p, watchos: p });

// --- the simulator, in a child process ------------------------------------------------------

type ToChild = { issue: string } | { credentials: number } | { session: true };
async function serve(devices: number): Promise<void> {
  const sim = createDepSimulator({ devices, seed: 1, session: { ttlMs: 86_400_000 } });
  const url = await sim.listen();
  process.send?.({ url });
  process.on('message', async (m: ToChild) => {
    if ('issue' in m) process.send?.({ file: (await sim.issueServerToken(m.issue)).file });
    else if ('session' in m) process.send?.({ session: sim.sessions.create() });
    else
      process.send?.({
        credentials: Array.from({ length: m.credentials }, () => sim.tokens.create()),
      });
  });
}

interface Sim {
  url: string;
  ask<T>(message: ToChild): Promise<T>;
  close(): void;
}
async function startSim(devices: number): Promise<Sim> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(devices)], {
    execArgv: ['--import', 'tsx'],
  });
  const url = await new Promise<string>((resolve) =>
    child.once('message', (m: { url: string }) => resolve(m.url)),
  );
  return {
    url,
    ask: <T>(message: ToChild) =>
      new Promise<T>((resolve) => {
        child.once('message', (m) => resolve(m as T));
        child.send(message);
      }),
    close: () => child.kill(),
  };
}

// --- measurement helpers ----------------------------------------------------------------------

function peakMemory(): { stop(): { rssMb: number; heapMb: number } } {
  let rss = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return { rssMb: rss / 1e6, heapMb: heap / 1e6 };
    },
  };
}

async function bareFetch(): Promise<number> {
  const sim = await startSim(DEVICES);
  const { session } = await sim.ask<{ session: string }>({ session: true });
  const headers = {
    'user-agent': 'abmkit-bench/1.0',
    'x-server-protocol-version': '10',
    'x-adm-auth-session': session,
    'content-type': 'application/json;charset=UTF8',
  };
  const t0 = performance.now();
  let cursor: string | undefined;
  let seen = 0;
  for (;;) {
    const res = await fetch(`${sim.url}/server/devices`, {
      method: 'POST',
      headers,
      body: JSON.stringify(cursor ? { cursor, limit: 1000 } : { limit: 1000 }),
    });
    const page = (await res.json()) as {
      devices: unknown[];
      cursor: string;
      more_to_follow: boolean;
    };
    seen += page.devices.length;
    cursor = page.cursor;
    if (!page.more_to_follow) break;
  }
  const ms = performance.now() - t0;
  sim.close();
  if (seen !== DEVICES) throw new Error(`bare fetch saw ${seen} devices`);
  return ms;
}

async function firstSync(name: string, storage: AbmStorage, bareMs: number): Promise<void> {
  const sim = await startSim(DEVICES);
  const manager = new AbmManager({ storage, baseUrl: sim.url, pageSize: 1000, telemetry: false });
  const pem = await manager.createKeyPair('bench');
  const { file } = await sim.ask<{ file: string }>({ issue: pem });
  await manager.uploadServerToken('bench', file);
  const client = await manager.client('bench');
  const profile = (
    await client.defineProfile(
      profilePreset('automated', { name: 'All', url: 'https://m.example/e' }),
    )
  ).profile_uuid;
  await manager.setPolicy('bench', { osDefaults: OS_ALL(profile) });
  global.gc?.();
  const mem = peakMemory();
  const t0 = performance.now();
  const report = await manager.syncNow('bench');
  const ms = performance.now() - t0;
  const peak = mem.stop();
  global.gc?.();
  const after = process.memoryUsage().heapUsed / 1e6;
  sim.close();
  if (report.status !== 'completed') throw new Error(`${name}: ${JSON.stringify(report.error)}`);
  console.log(
    `${name.padEnd(16)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${Math.round((DEVICES / ms) * 1000)
      .toString()
      .padStart(
        7,
      )} devices/s  ${(ms / bareMs).toFixed(2)}× bare  pages ${report.pages}  assigned ${report.profiles.assigned}  ` +
      `peak RSS ${peak.rssMb.toFixed(0)} MB, peak heap ${peak.heapMb.toFixed(0)} MB, heap after GC ${after.toFixed(0)} MB`,
  );
}

async function manyTokens(): Promise<void> {
  const sim = await startSim(100);
  const storage = new MemoryStorage({ encryptionKey: KEY });
  const { credentials } = await sim.ask<{
    credentials: {
      consumer_key: string;
      consumer_secret: string;
      access_token: string;
      access_secret: string;
      access_token_expiry: string;
    }[];
  }>({ credentials: TOKENS });
  // Credentials are stored directly (as uploadServerToken would after decrypting), to keep
  // 1,000 RSA key generations out of the measurement.
  for (const [i, c] of credentials.entries()) {
    await storage.saveToken(`tok-${String(i).padStart(4, '0')}`, {
      baseUrl: sim.url,
      credentials: {
        consumerKey: c.consumer_key,
        consumerSecret: c.consumer_secret,
        accessToken: c.access_token,
        accessSecret: c.access_secret,
        accessTokenExpiry: new Date(c.access_token_expiry).toISOString(),
      },
    });
    await storage.setPolicy(`tok-${String(i).padStart(4, '0')}`, { osDefaults: {} });
  }
  const concurrency = 16;
  const staggerMs = 2000;
  const manager = new AbmManager({
    storage,
    concurrency,
    staggerMs,
    pageSize: 1000,
    telemetry: false,
  });
  const durations: number[] = [];
  let failed = 0;
  const done = new Promise<void>((resolve) => {
    const end = (e: { report: { durationMs: number; status: string } }) => {
      durations.push(e.report.durationMs);
      if (e.report.status !== 'completed') failed++;
      if (durations.length === TOKENS) resolve();
    };
    manager.on('sync.completed', end);
    manager.on('sync.failed', end);
  });
  global.gc?.();
  const mem = peakMemory();
  const t0 = performance.now();
  await manager.start();
  await done;
  const ms = performance.now() - t0;
  const peak = mem.stop();
  await manager.stop();
  sim.close();
  durations.sort((a, b) => a - b);
  const q = (p: number) => durations[Math.floor((durations.length - 1) * p)];
  console.log(
    `${TOKENS} tokens × 100 devices (concurrency ${concurrency}, first runs staggered over ${staggerMs} ms): ` +
      `all synced in ${(ms / 1000).toFixed(2)} s (${Math.round((TOKENS / ms) * 1000)} runs/s), failed ${failed}, ` +
      `run p50 ${q(0.5)} ms, p95 ${q(0.95)} ms; peak RSS ${peak.rssMb.toFixed(0)} MB, peak heap ${peak.heapMb.toFixed(0)} MB`,
  );
}

async function main(): Promise<void> {
  console.log(
    `AbmManager first sync + assignment of ${DEVICES.toLocaleString('en')} devices (1000 per page)`,
  );
  const bareMs = await bareFetch();
  console.log(
    `${'bare fetch loop'.padEnd(16)} ${(bareMs / 1000).toFixed(2).padStart(6)} s  ${Math.round(
      (DEVICES / bareMs) * 1000,
    )
      .toString()
      .padStart(7)} devices/s  (baseline: fetch + JSON only, one pass, no storage)`,
  );
  const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const schema = `abmkit_bench_${Date.now().toString(36)}`;
  try {
    const pgStore = new PostgresStorage({ pool, schema, encryptionKey: KEY });
    await pgStore.migrate();
    await firstSync('PostgresStorage', pgStore, bareMs);
  } catch (error) {
    console.log(`PostgresStorage  skipped: ${(error as Error).message}`);
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
  const dir = await mkdtemp(join(tmpdir(), 'abmkit-bench-'));
  const files = new FileStorage({ directory: dir, encryptionKey: KEY });
  await firstSync('FileStorage', files, bareMs);
  await files.close();
  await rm(dir, { recursive: true, force: true });

  await manyTokens();
}

if (process.argv[2] === '--serve') await serve(Number(process.argv[3]));
else await main();
