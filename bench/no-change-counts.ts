/**
 * Benchmark (issue #13, case c): the no-change sync run of one token — what it costs in round
 * trips and time on each store. One token with 100 devices (`--devices`), all assigned by a policy, is synced
 * until nothing changes; then `--runs` no-change runs of `manager.syncNow()` are interleaved with
 * the bare floor (one `/devices/sync` request + one cursor write, bench/_stores.ts).
 *
 *   node --import tsx bench/no-change-counts.ts [--runs 20] [--devices 100] [--stores postgres,redis]
 *     [--policy-devices N]   # the policy also names N serials (device-level entries, as a CSV
 *                            # import leaves it); they are not among the token's devices
 *
 * Prints per run: SQL statements (PostgreSQL), Redis commands, HTTP requests, wall time
 * (min/median/max) and, on PostgreSQL, the server's CPU (every `postgres` process, from `/proc`). #13's target: at most 6 statements on PostgreSQL, the equivalent on Redis.
 * test/integration/manager/statement-count.test.ts holds the PostgreSQL and Redis counts.
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
  OS_ALL,
  postgresCpuMs,
  startSim,
  uniq,
} from './_harness.js';
import { addTokens, KINDS, type Kind, openBare, openServices, openStore } from './_stores.js';

const RUNS = arg('runs', 20);
const DEVICES = arg('devices', 100);
const POLICY_DEVICES = arg('policy-devices', 0);
const storesArg = process.argv.indexOf('--stores');
const STORES = (storesArg > 0 ? process.argv[storesArg + 1]!.split(',') : KINDS) as Kind[];

const sim = await startSim(DEVICES);
const s = openServices(4);

interface Run {
  ms: number;
  trips: number;
  http: number;
  /** CPU of the PostgreSQL server over the run, ms (null where `/proc` cannot be read). */
  pgCpuMs: number | null;
}

/** Runs `work` once, counting round trips of `kind` and HTTP requests. */
async function measure(kind: Kind, work: () => Promise<void>): Promise<Run> {
  const trips = () => (kind === 'postgres' ? s.pg.statements() : s.redis.commands());
  const t0 = trips();
  const h0 = await sim.requests();
  const pg0 = kind === 'postgres' ? postgresCpuMs() : null;
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  const pg1 = pg0 === null ? null : postgresCpuMs();
  return {
    ms,
    trips: trips() - t0,
    http: (await sim.requests()) - h0,
    pgCpuMs: pg0 === null || pg1 === null ? null : pg1 - pg0,
  };
}

async function one(kind: Kind): Promise<void> {
  const { storage, drop } = await openStore(kind, s);
  const transport = abmkitFetch();
  const manager = new AbmManager({
    storage,
    baseUrl: sim.url,
    pageSize: 1000,
    telemetry: false,
    ...transport.options,
  });
  const id = `nc-${uniq()}`;
  await addTokens(manager, sim, [id]);
  const profile = await sim.profile();
  const devices: Record<string, string> = {};
  for (let i = 0; i < POLICY_DEVICES; i++) devices[`POLICY${String(i).padStart(8, '0')}`] = profile;
  await manager.setPolicy(id, {
    osDefaults: OS_ALL(profile),
    ...(POLICY_DEVICES > 0 ? { devices } : {}),
  });
  for (let i = 0; i < 5; i++) {
    const r = await manager.syncNow(id);
    if (r.status !== 'completed') throw new Error(`${kind}: ${r.error?.message}`);
    if (i > 0 && r.devices.added + r.devices.modified + r.profiles.assigned === 0) break;
  }
  const bareStore = await openBare(kind, s);
  const [session] = (await sim.sessions(1)) as [string];
  let cursor = (await adePost<BarePage>(`${sim.url}/server/devices`, session, { limit: 1000 }))
    .cursor;

  const r = await interleave(RUNS, {
    abmkit: () =>
      measure(kind, async () => {
        const report = await manager.syncNow(id);
        if (report.devices.added + report.devices.modified !== 0)
          throw new Error(`${kind}: not a no-change run`);
      }),
    bare: () =>
      measure(kind, async () => {
        const page = await adePost<BarePage>(`${sim.url}/devices/sync`, session, {
          cursor,
          limit: 1000,
        });
        cursor = page.cursor;
        await bareStore.writePage('bare', page.devices, page.cursor);
      }),
  });
  const unit = kind === 'postgres' ? 'SQL statements' : kind === 'redis' ? 'Redis commands' : '';
  for (const side of ['abmkit', 'bare'] as const) {
    const xs = r[side]!;
    const trips = unit ? `${fmt(xs.map((x) => x.trips))} ${unit}, ` : '';
    // /proc counts CPU in 10 ms ticks: the mean over the runs, not a per-run spread.
    const pgCpu = xs.every((x) => x.pgCpuMs !== null)
      ? `, PostgreSQL server CPU ${(xs.reduce((a, x) => a + x.pgCpuMs!, 0) / xs.length).toFixed(1)} ms per run (mean)`
      : '';
    console.log(
      `  ${kind.padEnd(8)} ${side.padEnd(6)} ${trips}${fmt(xs.map((x) => x.http))} HTTP requests, ` +
        `${fmt(
          xs.map((x) => x.ms),
          'ms',
          1,
        )} per run${pgCpu}`,
    );
  }
  await manager.stop();
  transport.close();
  await bareStore.drop();
  await drop();
}

try {
  console.log(
    `no-change-counts: one token, ${DEVICES} devices, a policy naming ${POLICY_DEVICES} serials, ${RUNS} interleaved runs, ${FETCH_LABEL}; ${loadLine()}`,
  );
  for (const kind of STORES) await one(kind);
} finally {
  sim.close();
  await s.close();
}
