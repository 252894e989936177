/**
 * Benchmark (issue #13, case b): first sync + automatic assignment of N devices of one token into
 * PostgreSQL through `manager.syncNow()`, interleaved with a sequential bare loop over the same
 * simulator: fetch a page (1000) with `fetch` + `JSON.parse`, assign its serials through the same
 * `/profile/devices` endpoint, one multi-row upsert of the page and the cursor with `pg`. Each run
 * starts from a fresh simulator population and a fresh schema.
 *
 * `--added`: the other half of the target. The token has synced once (an empty server); then N
 * devices are assigned to the server and arrive through `/devices/sync` as `added`. The run that
 * takes them in (store every record, assign a profile to each) is timed against the loop of the
 * Go peer, rebuilt here with `fetch`: read the sync pages, assign the serials of the `added`
 * records, store nothing (target of #13: ≤ 2× the peer's 1.7 s, 0 devices unassigned); and
 * against the same loop storing every page with one multi-row upsert (`bare`). Assigning a
 * profile makes Apple (and the simulator) report the device again as `modified`, so N added
 * devices are 2N sync records.
 *
 *   node --expose-gc --import tsx bench/manager-assign.ts           # quick: 10,000 devices
 *   node --expose-gc --import tsx bench/manager-assign.ts --full    # 100,000 devices
 *   … [--added] [--devices N] [--runs 3]
 *
 * Prints wall time min/median/max, SQL statements and HTTP requests per run, peak RSS, the CPU
 * time of the measured process and of the PostgreSQL server (Linux), and the ratio of medians (target of #13: ≤ 1.0×). The simulator runs in its own process.
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
  peakRss,
  postgresCpuMs,
  ratio,
  startSim,
  stats,
  uniq,
} from './_harness.js';
import { addTokens, openBare, openServices, openStore } from './_stores.js';

const DEVICES = arg('devices', 10_000, 100_000);
const RUNS = arg('runs', 3);
const ADDED = process.argv.includes('--added');

interface Run {
  ms: number;
  statements: number;
  http: number;
  rssMb: number;
  /** CPU time of this process (abmkit or the loop) and of the PostgreSQL server, ms. */
  cpuMs: number;
  pgCpuMs: number | null;
}

const sim = await startSim(ADDED ? 0 : DEVICES);
const s = openServices(10);

async function measure(work: () => Promise<void>): Promise<Run> {
  global.gc?.();
  const st0 = s.pg.statements();
  const h0 = await sim.requests();
  const rss = peakRss();
  const pg0 = postgresCpuMs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const pg1 = postgresCpuMs();
  const rssMb = rss.stop();
  return {
    ms,
    statements: s.pg.statements() - st0,
    http: (await sim.requests()) - h0,
    rssMb,
    cpuMs: (cpu.user + cpu.system) / 1000,
    pgCpuMs: pg0 === null || pg1 === null ? null : pg1 - pg0,
  };
}

function report(r: Record<string, Run[]>): void {
  for (const [side, xs] of Object.entries(r)) {
    console.log(
      `  ${side.padEnd(6)} ${fmt(
        xs.map((x) => x.ms / 1000),
        's',
        2,
      )}, ${fmt(xs.map((x) => x.statements))} SQL statements, ` +
        `${fmt(xs.map((x) => x.http))} HTTP requests, peak RSS ${fmt(
          xs.map((x) => x.rssMb),
          'MB',
        )}, CPU ${fmt(
          xs.map((x) => x.cpuMs / 1000),
          's',
          2,
        )}${
          xs.every((x) => x.pgCpuMs !== null)
            ? `, PostgreSQL server CPU ${fmt(
                xs.map((x) => (x.pgCpuMs ?? 0) / 1000),
                's',
                2,
              )}`
            : ''
        }`,
    );
  }
}

/**
 * A fresh simulator population, schema and manager with one token whose policy gives every
 * device a profile; `close()` stops and drops them.
 */
async function openManager(
  prefix: string,
): Promise<{ manager: AbmManager; id: string; close(): Promise<void> }> {
  await sim.reset();
  const { storage, drop } = await openStore('postgres', s);
  const transport = abmkitFetch();
  const manager = new AbmManager({
    storage,
    baseUrl: sim.url,
    pageSize: 1000,
    telemetry: false,
    ...transport.options,
  });
  const id = `${prefix}-${uniq()}`;
  await addTokens(manager, sim, [id]);
  await manager.setPolicy(id, { osDefaults: OS_ALL(await sim.profile()) });
  return {
    manager,
    id,
    close: async () => {
      await manager.stop();
      transport.close();
      await drop();
    },
  };
}

async function abmkit(): Promise<Run> {
  const { manager, id, close } = await openManager('assign');
  const run = await measure(async () => {
    const r = await manager.syncNow(id);
    if (r.status !== 'completed' || r.profiles.assigned !== DEVICES)
      throw new Error(`abmkit: ${r.status}, assigned ${r.profiles.assigned}: ${r.error?.message}`);
  });
  await close();
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

/** `--added`: one sync of N new devices after a first sync of an empty server, assigned. */
async function abmkitAdded(): Promise<Run> {
  const { manager, id, close } = await openManager('added');
  const first = await manager.syncNow(id);
  if (first.status !== 'completed') throw new Error(`abmkit: first sync ${first.status}`);
  await sim.add(DEVICES);
  const run = await measure(async () => {
    const r = await manager.syncNow(id);
    if (
      r.status !== 'completed' ||
      r.fullFetch ||
      r.devices.added !== DEVICES ||
      r.profiles.assigned !== DEVICES ||
      r.unassigned !== 0
    )
      throw new Error(
        `abmkit: ${r.status}, full fetch ${r.fullFetch}, added ${r.devices.added}, assigned ` +
          `${r.profiles.assigned}, unassigned ${r.unassigned}: ${r.error?.message}`,
      );
  });
  await close();
  return run;
}

/**
 * `--added`: the Go peer's loop (sync pages, assign the `added` serials, store nothing), or with
 * `store` the same loop plus one multi-row upsert of every page and its cursor: the floor of
 * storing what Apple sends.
 */
async function loopAdded(store: boolean): Promise<Run> {
  await sim.reset();
  const profile = await sim.profile();
  const [session] = (await sim.sessions(1)) as [string];
  const first = await adePost<BarePage>(`${sim.url}/server/devices`, session, { limit: 1000 });
  const bare = store ? await openBare('postgres', s) : null;
  await sim.add(DEVICES);
  const run = await measure(async () => {
    let cursor = first.cursor;
    let assigned = 0;
    for (;;) {
      const page = await adePost<BarePage>(`${sim.url}/devices/sync`, session, {
        cursor,
        limit: 1000,
      });
      const added = page.devices.filter((d) => d['op_type'] === 'added');
      if (added.length > 0) {
        const res = await adePost<{ devices: Record<string, string> }>(
          `${sim.url}/profile/devices`,
          session,
          { profile_uuid: profile, devices: added.map((d) => d.serial_number) },
        );
        for (const d of added) {
          if (res.devices[d.serial_number] !== 'SUCCESS') continue;
          assigned++;
          d['profile_uuid'] = profile;
        }
      }
      await bare?.writePage('bare', page.devices, page.cursor);
      cursor = page.cursor;
      if (!page.more_to_follow) break;
    }
    if (assigned !== DEVICES) throw new Error(`loop: assigned ${assigned}`);
  });
  await bare?.drop();
  return run;
}

try {
  if (ADDED) {
    console.log(
      `manager-assign --added: ${DEVICES.toLocaleString('en')} devices arriving as \`added\`, ` +
        `stored and assigned in PostgreSQL, ${RUNS} interleaved runs per side, ${FETCH_LABEL}; ${loadLine()}`,
    );
    const r = await interleave(RUNS, {
      abmkit: abmkitAdded,
      peer: () => loopAdded(false),
      bare: () => loopAdded(true),
    });
    report(r);
    const ms = (side: string) => r[side]!.map((x) => x.ms);
    console.log(
      `  ratio  ${ratio(ms('abmkit'), ms('peer'))} of the peer's loop rebuilt here, ` +
        `${ratio(ms('abmkit'), ms('bare'))} of that loop storing every page; abmkit ` +
        `median ${(stats(ms('abmkit')).median / 1000).toFixed(2)} s against 2 × 1.7 s = 3.4 s ` +
        `(#13 target); ${loadLine()}`,
    );
  } else {
    console.log(
      `manager-assign: first sync + assignment of ${DEVICES.toLocaleString('en')} devices into ` +
        `PostgreSQL, ${RUNS} interleaved runs per side, ${FETCH_LABEL}; ${loadLine()}`,
    );
    const r = await interleave(RUNS, { abmkit, bare });
    report(r);
    const ms = (side: string) => r[side]!.map((x) => x.ms);
    console.log(
      `  ratio  ${ratio(ms('abmkit'), ms('bare'))} of the bare loop (medians; #13 target ≤ 1.0×); ${loadLine()}`,
    );
  }
} finally {
  sim.close();
  await s.close();
}
