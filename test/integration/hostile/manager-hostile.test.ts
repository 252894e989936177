/**
 * The manager against hostile or broken peers over real loopback HTTP: a body that trickles while
 * `stop()` is called, a `retry_after_seconds` of 1e13, and a sync interval no Node timer can hold.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AbmManager, MemoryStorage, type SyncReport } from '../../../src/index.js';
import { createDepSimulator } from '../../../src/testing/index.js';
import {
  defineProfile,
  enroll,
  FAST_RETRY,
  type Harness,
  harness,
  only,
  TEST_KEY,
} from '../../unit/manager/helpers.js';
import { json, type Loopback, loopback, trickle } from './loopback.js';

const DAY = 86_400_000;
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('AbmManager against hostile peers', () => {
  it('stop() returns while a device page body trickles, and the run ends aborted', async () => {
    let reached!: () => void;
    const devicesRequested = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const hostile: Loopback = await loopback((_req, res, seen) => {
      if (seen.path === '/account')
        return json(res, { server_name: 'Hostile', server_uuid: 'h-1' });
      reached();
      trickle(res, seen.path === '/server/devices' ? 503 : 200);
    });
    cleanups.push(() => hostile.close());
    const sim = createDepSimulator({ devices: 1, seed: 1 });
    cleanups.push(() => sim.close());
    const manager = new AbmManager({
      storage: new MemoryStorage({ encryptionKey: TEST_KEY }),
      baseUrl: hostile.url,
      retry: FAST_RETRY,
      telemetry: false,
    });
    cleanups.push(() => manager.stop());
    const pem = await manager.createKeyPair('t');
    await manager.uploadServerToken('t', (await sim.issueServerToken(pem)).file);

    const run = manager.syncNow('t');
    await devicesRequested;
    await manager.stop(); // before the fix this never returned: the error body was read unbounded
    const report: SyncReport = await run;
    expect(report.status).not.toBe('completed');
    expect(report.status).toMatch(/aborted|failed/);
  });

  it('clamps a retry_after_seconds of 1e13 and keeps the SUCCESS results of the same batch', async () => {
    const h: Harness = await harness({
      devices: 30,
      platforms: only('iPhone'),
      throttle: { maxSerialsPerWindow: 1_000_000, retryAfterSeconds: 1e13 },
    });
    cleanups.push(() => h.close());
    await enroll(h, 't');
    const ios = await defineProfile(h.manager, 't', 'iOS');
    await h.manager.setPolicy('t', { osDefaults: { ios } });
    const throttled = h.sim.devices.serials(5);
    h.sim.devices.setAssignOutcome(throttled, 'THROTTLED');

    const first = await h.manager.syncNow('t');
    expect(first.error ?? null).toBeNull();
    expect(first).toMatchObject({ status: 'completed' });
    expect(first.profiles).toMatchObject({ assigned: 25, throttled: 5 });
    const retries = (await h.storage.listRetries('t')).items;
    expect(retries).toHaveLength(5);
    const now = Date.parse(await h.storage.now());
    for (const r of retries) {
      const at = Date.parse(r.nextAttemptAt ?? '');
      expect(at).toBeGreaterThan(now);
      expect(at).toBeLessThanOrEqual(now + 8 * DAY); // 7 days, +10 % jitter at most
    }
    // The 25 successes were stored: the next run sends nothing again.
    const again = await h.manager.syncNow('t');
    expect(again.profiles.assigned + again.profiles.throttled).toBe(0);
    const sent = h.sim.requests
      .filter((r) => r.endpoint === 'assignProfile')
      .reduce((n, r) => n + (r.serialsIn ?? 0), 0);
    expect(sent).toBe(30);
  });

  it('a sync interval longer than a Node timer can hold does not turn into a busy loop', async () => {
    // Every storage call counted: the busy loop showed as thousands of calls per second.
    let calls = 0;
    const inner = new MemoryStorage({ encryptionKey: TEST_KEY });
    const counted = new Proxy(inner, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const h: Harness = await harness(
      { devices: 5, platforms: only('iPhone') },
      { syncIntervalMs: 30 * DAY, staggerMs: 1, jitter: 0 },
      counted,
    );
    cleanups.push(() => h.close());
    await enroll(h, 't');
    let started = 0;
    h.manager.on('sync.started', () => {
      started += 1;
    });
    const firstDone = new Promise<void>((resolve) =>
      h.manager.once('sync.completed', () => resolve()),
    );
    await h.manager.start();
    await firstDone;
    const before = calls;
    // Node fires a timer of more than 2^31-1 ms after 1 ms: without clamping, the schedule woke up
    // over and over in this window. A slower machine can only see fewer calls, never more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(started).toBe(1);
    expect(calls - before).toBeLessThan(10);
  });
});
