import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProfileEvent } from '../../../src/index.js';
import { AbmManager, MemoryStorage } from '../../../src/index.js';
import {
  assignedSerialCount,
  defineProfile,
  enroll,
  FAST_RETRY,
  type Harness,
  harness,
  only,
  TEST_KEY,
} from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
  vi.useRealTimers();
});

const HOUR = 3_600_000;

describe('AbmManager assignment retries', () => {
  it('retries FAILED serials after the 1 h cool-down, not before, from the queue in storage', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T10:00:00Z') });
    h = await harness({ devices: 30, platforms: only('iPhone') });
    await enroll(h, 't');
    const ios = await defineProfile(h.manager, 't', 'iOS');
    await h.manager.setPolicy('t', { osDefaults: { ios } });
    const bad = h.sim.devices.serials(3);
    h.sim.devices.setAssignOutcome(bad, 'FAILED');
    const failed: ProfileEvent[] = [];
    h.manager.on('profile.failed', (e) => void failed.push(e));

    const first = await h.manager.syncNow('t');
    expect(first.profiles.failed).toBe(3);
    expect(first.profiles.assigned).toBe(27);
    expect(failed[0]?.serials.sort()).toEqual([...bad].sort());
    const retryAt = Date.parse(failed[0]!.retryAt!);
    expect(retryAt - Date.now()).toBeGreaterThanOrEqual(0.9 * HOUR);
    expect(retryAt - Date.now()).toBeLessThanOrEqual(1.1 * HOUR);
    const queue = await h.storage.listRetries('t');
    expect(queue.items.map((r) => r.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);

    h.sim.devices.setAssignOutcome(bad, undefined);
    vi.setSystemTime(Date.now() + 30 * 60_000);
    const early = await h.manager.syncNow('t');
    expect(early.profiles.assigned + early.profiles.failed).toBe(0);

    // A restarted process (new manager, same storage) picks the queue up once it is due.
    const restarted = new AbmManager({
      storage: h.storage,
      baseUrl: h.url,
      retry: FAST_RETRY,
      telemetry: false,
    });
    vi.setSystemTime(Date.now() + 45 * 60_000);
    const due = await restarted.syncNow('t');
    expect(due.profiles.assigned).toBe(3);
    expect((await h.storage.listRetries('t')).items).toEqual([]);
    for (const serial of bad) expect(h.sim.devices.get(serial)?.profile_uuid).toBe(ios);
  });

  it('waits retry_after_seconds for THROTTLED serials', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T10:00:00Z') });
    h = await harness({
      devices: 20,
      platforms: only('Mac'),
      throttle: { maxSerialsPerWindow: 5, windowMs: 60_000, retryAfterSeconds: 600 },
    });
    await enroll(h, 't');
    const mac = await defineProfile(h.manager, 't', 'Mac');
    await h.manager.setPolicy('t', { osDefaults: { macos: mac } });
    const throttled: ProfileEvent[] = [];
    h.manager.on('profile.throttled', (e) => void throttled.push(e));

    const first = await h.manager.syncNow('t');
    expect(first.profiles.assigned).toBe(5);
    expect(first.profiles.throttled).toBe(15);
    const wait = Date.parse(throttled[0]!.retryAt!) - Date.now();
    expect(wait).toBeGreaterThanOrEqual(540_000);
    expect(wait).toBeLessThanOrEqual(660_000);

    vi.setSystemTime(Date.now() + 5 * 60_000);
    expect((await h.manager.syncNow('t')).profiles.throttled).toBe(0);
    vi.setSystemTime(Date.now() + 6 * 60_000);
    const later = await h.manager.syncNow('t');
    expect(later.profiles.assigned).toBe(5);
    expect(later.profiles.throttled).toBe(10);
  });

  it('falls back to 24 h for THROTTLED without retry_after_seconds (protocol 9)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T10:00:00Z') });
    h = await harness(
      { devices: 4, platforms: only('iPhone') },
      { protocolVersion: 9 },
      new MemoryStorage({ encryptionKey: TEST_KEY }),
    );
    await enroll(h, 't');
    const ios = await defineProfile(h.manager, 't', 'iOS');
    await h.manager.setPolicy('t', { osDefaults: { ios } });
    h.sim.devices.setAssignOutcome(h.sim.devices.serials(4), 'THROTTLED');
    await h.manager.syncNow('t');
    const [entry] = (await h.storage.listRetries('t')).items;
    const wait = Date.parse(entry!.nextAttemptAt!) - Date.now();
    expect(wait).toBeGreaterThan(20 * HOUR);
    expect(wait).toBeLessThan(27 * HOUR);
    expect(assignedSerialCount(h.sim)).toBe(4);
  });
});
