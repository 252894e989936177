import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AbmManager, SyncReport } from '../../../src/index.js';
import { enroll, type Harness, harness } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
  vi.useRealTimers();
});

/** Resolves after `n` more `sync.completed`/`sync.failed` events (I/O runs on real time). */
function runs(manager: AbmManager, n: number): Promise<SyncReport[]> {
  return new Promise((resolve) => {
    const reports: SyncReport[] = [];
    const done = (e: { report: SyncReport }) => {
      reports.push(e.report);
      if (reports.length === n) {
        off1();
        off2();
        resolve(reports);
      }
    };
    const off1 = manager.on('sync.completed', done);
    const off2 = manager.on('sync.failed', done);
  });
}

describe('AbmManager schedule', () => {
  it('runs first syncs within the stagger window, then every token once per interval (5 minutes by default) at its own place', async () => {
    h = await harness({ devices: 20 });
    const ids = ['a', 'b', 'c'];
    for (const id of ids) await enroll(h, id);
    const interval = 300_000;
    // A cycle boundary of the wall-clock grid the schedule runs on.
    const t0 = Math.ceil(Date.now() / interval) * interval;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: t0 });
    const started: { tokenId: string; t: number; fullFetch: boolean }[] = [];
    h.manager.on('sync.started', (e) => {
      started.push({ tokenId: e.tokenId, t: Date.now(), fullFetch: e.fullFetch });
    });

    const first = runs(h.manager, 3);
    await h.manager.start();
    await vi.advanceTimersByTimeAsync(30_000); // the stagger window
    const reports = await first;
    expect(reports.map((r) => r.tokenId).sort()).toEqual(ids);
    expect(reports.every((r) => r.status === 'completed' && r.fullFetch)).toBe(true);
    expect(reports.every((r) => Date.parse(r.startedAt) < t0 + 30_000)).toBe(true);

    // Timer by timer, letting each run end (real loopback I/O) before fake time moves on: a run
    // ended re-arms its token's timer, so all are armed again (plus the re-listing timer).
    while (Date.now() < t0 + 4 * interval) {
      await vi.advanceTimersToNextTimerAsync();
      do await new Promise((r) => setImmediate(r));
      while (vi.getTimerCount() < ids.length + 1);
    }
    for (const k of [1, 2, 3]) {
      const inCycle = started.filter(
        (s) => s.t >= t0 + k * interval && s.t < t0 + (k + 1) * interval,
      );
      expect(inCycle.map((s) => s.tokenId).sort()).toEqual(ids);
      expect(inCycle.every((s) => !s.fullFetch)).toBe(true);
    }
    for (const id of ids) {
      const times = started.filter((s) => s.tokenId === id && s.t >= t0 + interval).map((s) => s.t);
      expect(times.slice(1).map((t, i) => t - (times[i] as number))).toEqual([interval, interval]);
    }
  });

  it('never overlaps a token with itself and bounds concurrency across tokens', async () => {
    h = await harness({ devices: 20 }, { concurrency: 2, syncIntervalMs: 1_000, staggerMs: 0 });
    const ids = ['a', 'b', 'c', 'd', 'e'];
    for (const id of ids) await enroll(h, id);
    h.sim.faults.add({ endpoint: 'fetchDevices', delayMs: 150, times: Number.POSITIVE_INFINITY });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let inFlight = 0;
    let peak = 0;
    const perToken = new Map<string, number>();
    h.manager.on('sync.started', (e) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      perToken.set(e.tokenId, (perToken.get(e.tokenId) ?? 0) + 1);
      expect(perToken.get(e.tokenId)).toBe(1);
    });
    const done = runs(h.manager, 5);
    h.manager.on('sync.completed', (e) => {
      inFlight -= 1;
      perToken.set(e.tokenId, (perToken.get(e.tokenId) ?? 1) - 1);
    });
    await h.manager.start();
    // Ticks keep firing on fake time while the (real-time) runs are still in flight.
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(1_000);
    await done;
    expect(peak).toBeLessThanOrEqual(2);
    expect(h.sim.counters.byEndpoint['fetchDevices']).toBeGreaterThanOrEqual(5);
  });

  it('stop() aborts the runs in flight, waits for them, and a restart resumes without losing devices', async () => {
    h = await harness({ devices: 500 }, { pageSize: 100, staggerMs: 0 });
    await enroll(h, 't');
    h.sim.faults.add({ endpoint: 'fetchDevices', after: 2, delayMs: 400 });
    const pageTwo = new Promise<void>((resolve) =>
      h.manager.on('sync.progress', (e) => {
        if (e.pages === 2) resolve();
      }),
    );
    const ended = runs(h.manager, 1);
    await h.manager.start();
    await pageTwo;
    await h.manager.stop();
    const [report] = await ended;
    expect(report?.status).toBe('aborted');
    expect(report?.error?.code).toBe('ABORTED');
    expect(await h.storage.getLease('t')).toBeNull();
    const cursor = await h.storage.getCursor('t');
    expect(cursor?.phase).toBe('full');
    expect((await h.manager.listDevices('t', { limit: 1000 })).items).toHaveLength(200);

    const resumed = await h.manager.syncNow('t');
    expect(resumed.status).toBe('completed');
    expect(resumed.devices.added).toBe(300);
    expect((await h.manager.listDevices('t', { limit: 1000 })).items).toHaveLength(500);
  });

  it('stops when the AbortSignal option aborts', async () => {
    const controller = new AbortController();
    h = await harness({ devices: 10 }, { signal: controller.signal, staggerMs: 0 });
    await enroll(h, 't');
    const first = runs(h.manager, 1);
    await h.manager.start();
    await first;
    controller.abort();
    const report = await h.manager.syncNow('t');
    expect(report).toMatchObject({ status: 'skipped', skipped: 'stopped' });
  });
});
