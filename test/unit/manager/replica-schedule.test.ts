import { afterEach, describe, expect, it, vi } from 'vitest';
import { AbmManager, type AbmStorage, MemoryStorage } from '../../../src/index.js';
import type { DepSimulator } from '../../../src/testing/index.js';
import { enroll, FAST_RETRY, startSimulator, TEST_KEY } from './helpers.js';

const INTERVAL = 60_000;
const STAGGER = 30_000;
const IDS = Array.from({ length: 8 }, (_, i) => `tenant-${i}`);

interface Fire {
  who: string;
  tokenId: string;
  t: number;
}

interface Lease {
  who: string;
  tokenId: string;
  t: number;
  got: boolean;
}

/** What the replicas' stores record. */
interface Log {
  fires: Fire[];
  leases: Lease[];
  /** Leases taken and not yet released (`owner:tokenId`): runs in flight. */
  held: Set<string>;
  /** Called when a replica's schedule reaches a token, before it reads it or takes its lease. */
  onFire?: ((who: string, tokenId: string) => Promise<void>) | undefined;
}

/** One replica's view of the shared store, logging schedule fires (`getToken`, `beginSyncRun`) and leases. */
function replicaStore(inner: AbmStorage, who: string, log: Log): AbmStorage {
  return new Proxy(inner, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      if (key === 'getToken') {
        return async (tokenId: string) => {
          log.fires.push({ who, tokenId, t: Date.now() });
          await log.onFire?.(who, tokenId);
          return fn.call(target, tokenId);
        };
      }
      // A run takes its lease with beginSyncRun (or acquireLease) and gives it back with
      // endSyncRun (or releaseLease).
      if (key === 'beginSyncRun' || key === 'acquireLease') {
        return async (...args: unknown[]) => {
          const tokenId =
            key === 'beginSyncRun' ? (args[0] as { tokenId: string }).tokenId : (args[0] as string);
          if (key === 'beginSyncRun') {
            // A replica that ran the token last time starts without reading it: the schedule
            // reached it here (a run that read it first is logged twice, at the same time).
            log.fires.push({ who, tokenId, t: Date.now() });
            await log.onFire?.(who, tokenId);
          }
          const grant = await fn.apply(target, args);
          // 'recently-synced' and 'token-changed': no lease was asked for.
          if (typeof grant === 'string') return grant;
          log.leases.push({ who, tokenId, t: Date.now(), got: grant !== null });
          if (grant !== null) log.held.add(`${who}:${tokenId}`);
          return grant;
        };
      }
      if (key === 'endSyncRun' || key === 'releaseLease') {
        return async (...args: unknown[]) => {
          const tokenId =
            key === 'endSyncRun' ? (args[0] as { tokenId: string }).tokenId : (args[0] as string);
          try {
            return await fn.apply(target, args);
          } finally {
            log.held.delete(`${who}:${tokenId}`);
          }
        };
      }
      return fn.bind(target);
    },
  }) as AbmStorage;
}

let sim: DepSimulator | undefined;
let managers: AbmManager[] = [];
afterEach(async () => {
  for (const m of managers) await m.stop();
  managers = [];
  await sim?.close();
  vi.useRealTimers();
});

/**
 * Two replicas (owners `replica-a`, `replica-b`) on one store with {@link IDS} enrolled, both
 * started on fake time from a cycle boundary of the wall-clock grid (so the schedule is
 * reproducible). Time moves only through `advanceTo`, which lets every run a timer started end
 * (real loopback I/O) before the next timer fires.
 */
async function twoReplicas() {
  const started = await startSimulator({ devices: 5 });
  sim = started.sim;
  // The store's clock reads `Date.now` at each call, so it follows the fake time below.
  const shared = new MemoryStorage({ encryptionKey: TEST_KEY, clock: () => Date.now() });
  const log: Log = { fires: [], leases: [], held: new Set() };
  const runs: { who: string; tokenId: string; t: number }[] = [];
  managers = ['replica-a', 'replica-b'].map((owner) => {
    const manager = new AbmManager({
      storage: replicaStore(shared, owner, log),
      baseUrl: started.url,
      retry: FAST_RETRY,
      telemetry: false,
      owner,
      syncIntervalMs: INTERVAL,
      staggerMs: STAGGER,
    });
    manager.on('sync.started', (e) => {
      runs.push({ who: owner, tokenId: e.tokenId, t: Date.now() });
    });
    return manager;
  });
  const [a, b] = managers as [AbmManager, AbmManager];
  for (const id of IDS) await enroll({ sim, manager: a }, id);
  log.fires.length = 0;
  log.leases.length = 0;
  let live = 0;
  /**
   * Waits until the runs that timers started have ended: no lease held, and every token of every
   * started replica waits on its timer again (plus each replica's re-listing timer).
   */
  const settle = async () => {
    do await new Promise((r) => setImmediate(r));
    while (log.held.size > 0 || vi.getTimerCount() < live * (IDS.length + 1));
  };
  const t0 = Math.ceil(Date.now() / INTERVAL) * INTERVAL;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: t0 });
  await a.start();
  await b.start();
  live = 2;
  const stop = async (m: AbmManager) => {
    await m.stop();
    live -= 1;
  };
  /** Moves fake time timer by timer until it reaches `until` (the last step may pass it). */
  const advanceTo = async (until: number) => {
    await settle();
    while (Date.now() < until) {
      await vi.advanceTimersToNextTimerAsync();
      await settle();
    }
  };
  /** What happened in cycle `k` of the grid (`[t0 + k × interval, t0 + (k + 1) × interval)`). */
  const cycle = (k: number) => {
    const inside = <T extends { t: number }>(xs: T[]) =>
      xs.filter((x) => x.t >= t0 + k * INTERVAL && x.t < t0 + (k + 1) * INTERVAL);
    return { fires: inside(log.fires), leases: inside(log.leases), runs: inside(runs) };
  };
  /** The replica whose schedule reached the token first in cycle `k`. */
  const earlier = (k: number, tokenId: string) =>
    cycle(k)
      .fires.filter((f) => f.tokenId === tokenId)
      .sort((x, y) => x.t - y.t)[0]?.who;
  return { a, b, t0, shared, log, advanceTo, cycle, earlier, stop };
}

const byToken = (runs: { tokenId: string }[]) => runs.map((x) => x.tokenId).sort();

describe('AbmManager schedule with several replicas on one store', () => {
  it('interleaves the replicas’ first runs instead of sending both to the same token at once', async () => {
    const r = await twoReplicas();
    await r.advanceTo(r.t0 + STAGGER);
    const first = r.cycle(0);
    const staggered = <T extends { t: number }>(xs: T[]) => xs.filter((x) => x.t < r.t0 + STAGGER);

    // Each replica reached every token once, never at the same moment as the other replica.
    for (const id of IDS) {
      const [fa, fb] = ['replica-a', 'replica-b'].map(
        (who) => staggered(first.fires).filter((f) => f.who === who && f.tokenId === id)[0]?.t,
      );
      expect(fa).toBeDefined();
      expect(fb).toBeDefined();
      expect(fa).not.toBe(fb);
    }
    // The earlier replica synced the token; the later one found it synced and left it alone.
    expect(staggered(first.leases).every((l) => l.got)).toBe(true);
    const runs = staggered(first.runs);
    expect(byToken(runs)).toEqual([...IDS].sort());
    for (const run of runs) expect(run.who).toBe(r.earlier(0, run.tokenId));
    // Which replica comes first differs from token to token: both do part of the work.
    expect(new Set(runs.map((x) => x.who))).toEqual(new Set(['replica-a', 'replica-b']));
  });

  it('then syncs every token exactly once per interval, each on the same replica, without lease contention', async () => {
    const r = await twoReplicas();
    await r.advanceTo(r.t0 + 4 * INTERVAL);
    const owners = new Map(r.cycle(0).runs.map((x) => [x.tokenId, x.who]));
    for (const k of [1, 2, 3]) {
      const { runs, leases } = r.cycle(k);
      expect(byToken(runs)).toEqual([...IDS].sort());
      for (const run of runs) expect(run.who).toBe(owners.get(run.tokenId));
      expect(leases.filter((l) => !l.got)).toEqual([]);
    }
  });

  it('a replica that finds the lease held stands by for the token, and takes it over when the other replica stops', async () => {
    const r = await twoReplicas();
    await r.advanceTo(r.t0 + INTERVAL);
    const token = r.cycle(0).runs.find((x) => x.who === 'replica-b')?.tokenId as string;
    expect(token).toBeDefined();
    // In cycle 1 a third party holds the token's lease at the moment replica-b reaches it.
    r.log.onFire = async (who, tokenId) => {
      if (who !== 'replica-b' || tokenId !== token || Date.now() < r.t0 + INTERVAL) return;
      r.log.onFire = undefined;
      await r.shared.acquireLease(token, 'replica-c', 1);
    };
    await r.advanceTo(r.t0 + 2 * INTERVAL);
    const held = r.cycle(1).leases.filter((l) => l.tokenId === token);
    expect(held[0]).toMatchObject({ who: 'replica-b', got: false });
    // replica-a, later in its window, found the token not synced this cycle and synced it.
    expect(
      r
        .cycle(1)
        .runs.filter((x) => x.tokenId === token)
        .map((x) => x.who),
    ).toEqual(['replica-a']);

    // From then on replica-b comes after replica-a for this token: no contention, one run a cycle.
    await r.advanceTo(r.t0 + 4 * INTERVAL);
    for (const k of [2, 3]) {
      expect(r.earlier(k, token)).toBe('replica-a');
      expect(
        r
          .cycle(k)
          .runs.filter((x) => x.tokenId === token)
          .map((x) => x.who),
      ).toEqual(['replica-a']);
      expect(r.cycle(k).leases.filter((l) => !l.got)).toEqual([]);
    }

    // replica-a stops: replica-b, standing by, syncs the token in the next cycle.
    await r.stop(r.a);
    await r.advanceTo(r.t0 + 6 * INTERVAL);
    for (const k of [4, 5]) {
      expect(
        r
          .cycle(k)
          .runs.filter((x) => x.tokenId === token)
          .map((x) => x.who),
      ).toEqual(['replica-b']);
    }
  });
});
