/**
 * Benchmark (issue #13, case a): many tokens in one process. Every token is synced once (first
 * sync: full fetch) and then again with nothing new (no-change cycle), through
 * `manager.syncNow()` with at most `--concurrency` runs in flight, on PostgreSQL, Redis,
 * FileStorage and MemoryStorage. Each store runs interleaved with its bare floor (a loop with
 * the same concurrency over the same simulator: `fetch` + `JSON.parse` of each page, one bare
 * write per page — see bench/_stores.ts; its sessions are created up front, without OAuth), with
 * fresh service state per run (new schema / key prefix / directory, new tokens).
 *
 *   node --expose-gc --import tsx bench/manager-sync.ts            # quick: 20 tokens, 2 runs
 *   node --expose-gc --import tsx bench/manager-sync.ts --full     # 1,000 tokens × 100 devices
 *   … [--tokens N] [--devices 100] [--runs 3] [--concurrency 16] [--pool 10] [--stores postgres,redis]
 *
 * Per cycle: wall time min/median/max, PostgreSQL statements / Redis commands / HTTP requests per
 * run (median), CPU per token of this process, of the PostgreSQL server (every `postgres` process,
 * read from `/proc`) and of the simulator's process, peak RSS of this process, most PostgreSQL
 * connections (pool and server side; the pool is never exceeded unless a number says otherwise).
 * The simulator runs in its own process.
 */
import { AbmManager } from '../src/index.js';
import {
  abmkitFetch,
  adePost,
  arg,
  type BarePage,
  FETCH_LABEL,
  fmt,
  interleave,
  loadLine,
  mapLimit,
  peakRss,
  postgresCpuMs,
  ratio,
  type SimProcess,
  startSim,
  uniq,
} from './_harness.js';
import {
  addTokens,
  KINDS,
  type Kind,
  openBare,
  openServices,
  openStore,
  type Services,
} from './_stores.js';

const TOKENS = arg('tokens', 20, 1000);
const DEVICES = arg('devices', 100);
const RUNS = arg('runs', 2, 3);
const CONCURRENCY = arg('concurrency', 16);
const POOL = arg('pool', 10);
const storesArg = process.argv.indexOf('--stores');
const STORES = (storesArg > 0 ? process.argv[storesArg + 1]!.split(',') : KINDS) as Kind[];

/** What one cycle (every token once) cost. */
interface Cycle {
  ms: number;
  statements: number;
  commands: number;
  http: number;
  rssMb: number;
  /** CPU time of this process, ms. */
  cpuMs: number;
  /** CPU time of the PostgreSQL server (every `postgres` process), ms; null where unreadable. */
  pgCpuMs: number | null;
  /** CPU time of the simulator's process, ms. */
  simCpuMs: number;
}
type Run = { first: Cycle; again: Cycle };

async function measure(s: Services, sim: SimProcess, work: () => Promise<void>): Promise<Cycle> {
  global.gc?.();
  const c0 = s.counts();
  const h0 = await sim.requests();
  const sim0 = await sim.cpuMs();
  const pg0 = postgresCpuMs();
  const rss = peakRss();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const pg1 = postgresCpuMs();
  const rssMb = rss.stop();
  const c1 = s.counts();
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    pgCpuMs: pg0 === null || pg1 === null ? null : pg1 - pg0,
    simCpuMs: (await sim.cpuMs()) - sim0,
    statements: c1.statements - c0.statements,
    commands: c1.commands - c0.commands,
    http: (await sim.requests()) - h0,
    rssMb,
  };
}

async function abmkit(kind: Kind, s: Services, sim: SimProcess): Promise<Run> {
  const { storage, drop } = await openStore(kind, s);
  const transport = abmkitFetch();
  const manager = new AbmManager({
    storage,
    baseUrl: sim.url,
    pageSize: 1000,
    concurrency: CONCURRENCY,
    telemetry: false,
    ...transport.options,
  });
  const run = uniq();
  const ids = Array.from({ length: TOKENS }, (_, i) => `${run}-${i}`);
  await addTokens(manager, sim, ids);
  const cycle = (fullFetch: boolean) =>
    measure(s, sim, async () => {
      await mapLimit(ids, CONCURRENCY, async (id) => {
        const r = await manager.syncNow(id);
        const changed = r.devices.added + r.devices.modified;
        if (
          r.status !== 'completed' ||
          r.fullFetch !== fullFetch ||
          changed !== (fullFetch ? DEVICES : 0)
        )
          throw new Error(
            `${kind} ${id}: ${r.status} ${JSON.stringify(r.devices)} ${r.error?.message}`,
          );
      });
    });
  const first = await cycle(true);
  const again = await cycle(false);
  await manager.stop();
  transport.close();
  await drop();
  return { first, again };
}

async function bare(kind: Kind, s: Services, sim: SimProcess): Promise<Run> {
  const store = await openBare(kind, s);
  const sessions = await sim.sessions(TOKENS);
  const cursors: string[] = [];
  const first = await measure(s, sim, async () => {
    await mapLimit(sessions, CONCURRENCY, async (session, i) => {
      let body: object = { limit: 1000 };
      for (;;) {
        const page = await adePost<BarePage>(`${sim.url}/server/devices`, session, body);
        await store.writePage(`t${i}`, page.devices, page.cursor);
        cursors[i] = page.cursor;
        if (!page.more_to_follow) break;
        body = { cursor: page.cursor, limit: 1000 };
      }
    });
  });
  const again = await measure(s, sim, async () => {
    await mapLimit(sessions, CONCURRENCY, async (session, i) => {
      const page = await adePost<BarePage>(`${sim.url}/devices/sync`, session, {
        cursor: cursors[i],
        limit: 1000,
      });
      if (page.devices.length !== 0) throw new Error('bare: the no-change sync saw changes');
      await store.writePage(`t${i}`, page.devices, page.cursor);
    });
  });
  await store.drop();
  return { first, again };
}

async function main(): Promise<void> {
  console.log(
    `manager-sync: ${TOKENS} tokens × ${DEVICES} devices in one process, concurrency ${CONCURRENCY}, ` +
      `PostgreSQL pool ${POOL}, ${RUNS} interleaved runs per side, ${FETCH_LABEL}; ${loadLine()}`,
  );
  const sim = await startSim(DEVICES);
  const s = openServices(POOL);
  try {
    for (const kind of STORES) {
      const results = await interleave(RUNS, {
        abmkit: () => abmkit(kind, s, sim),
        bare: () => bare(kind, s, sim),
      });
      for (const phase of ['first', 'again'] as const) {
        const label = phase === 'first' ? 'first sync' : 'no-change cycle';
        for (const side of ['abmkit', 'bare'] as const) {
          const c = results[side]!.map((r) => r[phase]);
          const per = (f: (x: Cycle) => number) =>
            fmt(
              c.map((x) => f(x) / TOKENS),
              '',
              1,
            );
          const trips =
            kind === 'postgres'
              ? `, ${per((x) => x.statements)} SQL statements/token`
              : kind === 'redis'
                ? `, ${per((x) => x.commands)} Redis commands/token`
                : '';
          const pgCpu =
            kind === 'postgres' && c.every((x) => x.pgCpuMs !== null)
              ? `, PostgreSQL CPU ${per((x) => x.pgCpuMs!)} ms/token`
              : '';
          console.log(
            `  ${kind.padEnd(8)} ${label.padEnd(15)} ${side.padEnd(6)} ${fmt(
              c.map((x) => x.ms / 1000),
              's',
              2,
            )}` +
              `${trips}, ${per((x) => x.http)} HTTP requests/token, CPU ${per(
                (x) => x.cpuMs,
              )} ms/token${pgCpu}, simulator CPU ${per((x) => x.simCpuMs)} ms/token, peak RSS ${fmt(
                c.map((x) => x.rssMb),
                'MB',
              )}`,
          );
        }
        const a = results['abmkit']!.map((r) => r[phase].ms);
        const b = results['bare']!.map((r) => r[phase].ms);
        console.log(
          `  ${kind.padEnd(8)} ${label.padEnd(15)} ratio  ${ratio(a, b)} of the bare floor (medians)`,
        );
      }
    }
    console.log(
      `  PostgreSQL connections: at most ${s.pg.maxPoolConnections()} in the pool, ` +
        `${s.pg.maxServerConnections()} seen by the server (pool max ${POOL}); ${loadLine()}`,
    );
  } finally {
    sim.close();
    await s.close();
  }
}

await main();
