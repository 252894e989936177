/**
 * Benchmark (issue #13, case b): first sync + automatic assignment of N devices of one token into
 * PostgreSQL through `manager.syncNow()`, interleaved with a sequential bare loop over the same
 * simulator: fetch a page (1000) with `fetch` + `JSON.parse`, assign its serials through the same
 * `/profile/devices` endpoint, one multi-row upsert of the page and the cursor with `pg`. Each run
 * starts from a fresh simulator population and a fresh schema.
 *
 *   node --expose-gc --import tsx bench/manager-assign.ts           # quick: 10,000 devices
 *   node --expose-gc --import tsx bench/manager-assign.ts --full    # 100,000 devices
 *   … [--devices N] [--runs 3]
 *
 * Prints wall time min/median/max, SQL statements and HTTP requests per run, peak RSS, and the
 * ratio of medians (target of #13: ≤ 1.0×). The simulator runs in its own process.
 */
import { AbmManager } from '../src/index.js';
import {
  adePost,
  arg,
  type BarePage,
  fmt,
  interleave,
  loadLine,
  OS_ALL,
  peakRss,
  ratio,
  startSim,
  uniq,
} from './_harness.js';
import { addTokens, openBare, openServices, openStore } from './_stores.js';

const DEVICES = arg('devices', 10_000, 100_000);
const RUNS = arg('runs', 3);

interface Run {
  ms: number;
  statements: number;
  http: number;
  rssMb: number;
}

const sim = await startSim(DEVICES);
const s = openServices(10);

async function measure(work: () => Promise<void>): Promise<Run> {
  global.gc?.();
  const st0 = s.pg.statements();
  const h0 = await sim.requests();
  const rss = peakRss();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const rssMb = rss.stop();
  return { ms, statements: s.pg.statements() - st0, http: (await sim.requests()) - h0, rssMb };
}

async function abmkit(): Promise<Run> {
  await sim.reset();
  const { storage, drop } = await openStore('postgres', s);
  const manager = new AbmManager({ storage, baseUrl: sim.url, pageSize: 1000, telemetry: false });
  const id = `assign-${uniq()}`;
  await addTokens(manager, sim, [id]);
  await manager.setPolicy(id, { osDefaults: OS_ALL(await sim.profile()) });
  const run = await measure(async () => {
    const r = await manager.syncNow(id);
    if (r.status !== 'completed' || r.profiles.assigned !== DEVICES)
      throw new Error(`abmkit: ${r.status}, assigned ${r.profiles.assigned}: ${r.error?.message}`);
  });
  await manager.stop();
  await drop();
  return run;
}

async function bare(): Promise<Run> {
  await sim.reset();
  const profile = await sim.profile();
  const [session] = (await sim.sessions(1)) as [string];
  const store = await openBare('postgres', s);
  const run = await measure(async () => {
    let body: object = { limit: 1000 };
    let assigned = 0;
    for (;;) {
      const page = await adePost<BarePage>(`${sim.url}/server/devices`, session, body);
      const serials = page.devices.map((d) => d.serial_number);
      const res = await adePost<{ devices: Record<string, string> }>(
        `${sim.url}/profile/devices`,
        session,
        { profile_uuid: profile, devices: serials },
      );
      for (const d of page.devices) {
        if (res.devices[d.serial_number] !== 'SUCCESS') continue;
        assigned++;
        d['profile_uuid'] = profile;
        d['profile_status'] = 'assigned';
      }
      await store.writePage('bare', page.devices, page.cursor);
      if (!page.more_to_follow) break;
      body = { cursor: page.cursor, limit: 1000 };
    }
    if (assigned !== DEVICES) throw new Error(`bare: assigned ${assigned}`);
  });
  await store.drop();
  return run;
}

try {
  console.log(
    `manager-assign: first sync + assignment of ${DEVICES.toLocaleString('en')} devices into ` +
      `PostgreSQL, ${RUNS} interleaved runs per side; ${loadLine()}`,
  );
  const r = await interleave(RUNS, { abmkit, bare });
  for (const side of ['abmkit', 'bare'] as const) {
    const xs = r[side]!;
    console.log(
      `  ${side.padEnd(6)} ${fmt(
        xs.map((x) => x.ms / 1000),
        's',
        2,
      )}, ${fmt(xs.map((x) => x.statements))} SQL statements, ` +
        `${fmt(xs.map((x) => x.http))} HTTP requests, peak RSS ${fmt(
          xs.map((x) => x.rssMb),
          'MB',
        )}`,
    );
  }
  const ms = (side: string) => r[side]!.map((x) => x.ms);
  console.log(
    `  ratio  ${ratio(ms('abmkit'), ms('bare'))} of the bare loop (medians; #13 target ≤ 1.0×); ${loadLine()}`,
  );
} finally {
  sim.close();
  await s.close();
}
