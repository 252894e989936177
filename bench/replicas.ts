/**
 * Benchmark (issue #13, case f): replicas. Three processes on one PostgreSQL schema, each running
 * `manager.start()` over the same tokens (`syncIntervalMs` = `--interval`, first runs staggered
 * over one interval), for `--cycles` intervals. Every finished run and every lease acquisition
 * (through a counting wrapper of the store's `beginSyncRun` and `acquireLease`) is reported to this process, which
 * buckets them by cycle (windows of one interval from the moment all replicas started).
 *
 *   node --import tsx bench/replicas.ts                # quick: 60 tokens, 3 cycles of 4 s
 *   node --import tsx bench/replicas.ts --full         # 300 tokens, 5 cycles of 10 s
 *   … [--tokens N] [--devices 10] [--interval ms] [--cycles N] [--replicas 3] [--concurrency 4]
 *
 * On a loaded machine a replica can run fewer than `tokens / interval` runs per second (at most
 * `--concurrency` at once, each slower than usual): then tokens show as synced 0× in some cycles
 * and the overall rate drops below 1 run per token per interval; compare with the load average.
 *
 * Prints per cycle: tokens synced 0 / 1 / 2+ times (target: every token exactly once), runs per
 * replica and their deviation from an even share (target ±20%), failed lease acquisitions.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { AbmManager, type AbmStorage } from '../src/index.js';
import { PostgresStorage } from '../src/storage/postgres/index.js';
import { arg, DATABASE_URL, KEY, loadLine, mapLimit, startSim, uniq } from './_harness.js';
import { addTokens, openServices, openStore } from './_stores.js';

const TOKENS = arg('tokens', 60, 300);
const DEVICES = arg('devices', 10);
const INTERVAL = arg('interval', 4000, 10_000);
const CYCLES = arg('cycles', 3, 5);
const REPLICAS = arg('replicas', 3);
const CONCURRENCY = arg('concurrency', 4);

type Note =
  | { kind: 'ready' }
  | { kind: 'run' | 'failed'; tokenId: string; t: number }
  | { kind: 'lease'; t: number; got: boolean }
  | { kind: 'stopped' };

/** A replica: its own pool and store on the shared schema, a counting `acquireLease`. */
async function replica(schema: string, url: string): Promise<void> {
  const send = (n: Note) => process.send?.(n);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 5 });
  const inner = new PostgresStorage({ pool, schema, encryptionKey: KEY });
  const storage = new Proxy(inner, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      // A run takes its lease through beginSyncRun (null: held elsewhere) where the store has it.
      if (key !== 'acquireLease' && key !== 'beginSyncRun') return value.bind(target);
      return async (...args: unknown[]) => {
        const grant = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        send({ kind: 'lease', t: Date.now(), got: grant !== null });
        return grant;
      };
    },
  }) as AbmStorage;
  const manager = new AbmManager({
    storage,
    baseUrl: url,
    pageSize: 1000,
    syncIntervalMs: INTERVAL,
    staggerMs: INTERVAL,
    concurrency: CONCURRENCY,
    telemetry: false,
  });
  manager.on('sync.started', (e) => {
    send({ kind: 'run', tokenId: e.tokenId, t: Date.now() });
  });
  manager.on('sync.failed', (e) => {
    send({ kind: 'failed', tokenId: e.tokenId, t: Date.now() });
  });
  process.on('message', async (m) => {
    if (m !== 'stop') return;
    await manager.stop();
    await pool.end();
    send({ kind: 'stopped' });
  });
  await manager.start();
  send({ kind: 'ready' });
}

async function main(): Promise<void> {
  console.log(
    `replicas: ${REPLICAS} processes, one PostgreSQL schema, ${TOKENS} tokens × ${DEVICES} devices, ` +
      `sync interval ${INTERVAL} ms, ${CYCLES} cycles, concurrency ${CONCURRENCY} per replica; ${loadLine()}`,
  );
  const sim = await startSim(DEVICES);
  const s = openServices(5);
  const { storage, where: schema, drop } = await openStore('postgres', s);
  const setup = new AbmManager({ storage, baseUrl: sim.url, telemetry: false });
  const ids = Array.from({ length: TOKENS }, (_, i) => `r${uniq()}-${i}`);
  await addTokens(setup, sim, ids);
  // The first syncs (full fetches) happen here, so that the cycles measure the steady state.
  await mapLimit(ids, 8, async (id) => {
    if ((await setup.syncNow(id)).status !== 'completed') throw new Error(`first sync of ${id}`);
  });
  const runs: { replica: number; tokenId: string; t: number }[] = [];
  const failed: { t: number }[] = [];
  const leases: { replica: number; t: number; got: boolean }[] = [];
  const children = Array.from({ length: REPLICAS }, (_, i) => {
    const child = fork(
      fileURLToPath(import.meta.url),
      ['--replica', schema, sim.url, ...process.argv.slice(2)],
      {
        execArgv: ['--import', 'tsx'],
      },
    );
    child.on('message', (n: Note) => {
      if (n.kind === 'run') runs.push({ replica: i, tokenId: n.tokenId, t: n.t });
      if (n.kind === 'failed') failed.push({ t: n.t });
      if (n.kind === 'lease') leases.push({ replica: i, t: n.t, got: n.got });
    });
    return child;
  });
  const until = (kind: Note['kind']) =>
    Promise.all(
      children.map(
        (c) =>
          new Promise<void>((r) =>
            c.on('message', (n: Note) => {
              if (n.kind === kind) r();
            }),
          ),
      ),
    );
  await until('ready');
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, CYCLES * INTERVAL));
  const stopped = until('stopped');
  for (const c of children) c.send('stop');
  await stopped;
  for (const c of children) c.kill();

  for (let k = 0; k < CYCLES; k++) {
    const inCycle = <T extends { t: number }>(xs: T[]) =>
      xs.filter((x) => x.t >= t0 + k * INTERVAL && x.t < t0 + (k + 1) * INTERVAL);
    const cr = inCycle(runs);
    const perToken = new Map<string, number>();
    for (const r of cr) perToken.set(r.tokenId, (perToken.get(r.tokenId) ?? 0) + 1);
    const once = [...perToken.values()].filter((n) => n === 1).length;
    const more = [...perToken.values()].filter((n) => n > 1).length;
    const share = Array.from(
      { length: REPLICAS },
      (_, i) => cr.filter((r) => r.replica === i).length,
    );
    const even = cr.length / REPLICAS;
    const spread = share.map(
      (n) => `${n} (${even ? (((n - even) / even) * 100).toFixed(0) : '–'}%)`,
    );
    const cl = inCycle(leases);
    console.log(
      `  cycle ${k + 1}: ${cr.length} runs started (${inCycle(failed).length} failed); tokens synced ` +
        `0× ${TOKENS - perToken.size}, 1× ${once}, 2+× ${more}; per replica ${spread.join(' / ')}; ` +
        `lease acquisitions ${cl.length}, failed ${cl.filter((l) => !l.got).length}`,
    );
  }
  const total = runs.filter((r) => r.t >= t0 && r.t < t0 + CYCLES * INTERVAL).length;
  console.log(
    `  overall: ${(total / (TOKENS * CYCLES)).toFixed(2)} runs per token per interval (ideal 1.00; ` +
      `a run's own duration and scheduling delay stretch each token's period beyond the interval); ` +
      `${loadLine()}`,
  );
  sim.close();
  await drop();
  await s.close();
}

if (process.argv[2] === '--replica') await replica(process.argv[3]!, process.argv[4]!);
else await main();
