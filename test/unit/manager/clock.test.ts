import { afterEach, describe, expect, it } from 'vitest';
import { defineProfile, enroll, type Harness, harness, only } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const HOUR = 3_600_000;

describe('AbmManager with an injected clock', () => {
  it('stamps health changes and enrollments with its `now`, not the wall clock', async () => {
    const fixed = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    h = await harness({ devices: 3, platforms: only('iPhone') }, { now: () => fixed });
    await enroll(h, 'clocked');
    await h.manager.syncNow('clocked');

    const token = await h.storage.getToken('clocked');
    expect(token?.healthChangedAt).toBe(fixed.toISOString());

    const serial = h.sim.devices.serials(1)[0]!;
    expect(await h.manager.markEnrolled('clocked', serial)).toBe(true);
    const device = await h.storage.getDevice('clocked', serial);
    expect(device?.enrolledAt).toBe(fixed.toISOString());
  });

  it('every timestamp the manager writes follows its `now`: run reports, token lifecycle, assignedAt, retries, cursor, session', async () => {
    // A day ahead of the wall clock (inside the server token's validity), so that nothing the
    // manager writes can pass for the wall clock or the store's clock.
    let nowMs = Math.floor(Date.now() / 1000) * 1000 + 24 * HOUR;
    const iso = () => new Date(nowMs).toISOString();
    h = await harness(
      {
        devices: 8,
        platforms: only('Mac'),
        throttle: { maxSerialsPerWindow: 5, windowMs: 600_000, retryAfterSeconds: 600 },
      },
      { now: () => new Date(nowMs) },
    );
    await enroll(h, 't');
    const lifecycle = await h.storage.getToken('t');
    expect(lifecycle?.currentKeyPair?.createdAt).toBe(iso());
    expect(lifecycle?.healthChangedAt).toBe(iso());

    const mac = await defineProfile(h.manager, 't', 'Mac');
    await h.manager.setPolicy('t', { osDefaults: { macos: mac } });
    nowMs += 60_000;
    const first = await h.manager.syncNow('t');
    expect(first).toMatchObject({ status: 'completed', fullFetch: true });
    expect(first.profiles).toMatchObject({ assigned: 5, throttled: 3 });
    expect(first.startedAt).toBe(iso());

    // The run record's report, the token's sync fields.
    const runs = await h.storage.listSyncRuns('t');
    expect(runs.items[0]?.report?.['startedAt']).toBe(iso());
    const token = await h.storage.getToken('t');
    expect(token?.lastSyncAt).toBe(iso());
    expect(token?.lastSuccessfulSyncAt).toBe(iso());

    // Devices assigned in the run carry the manager's time; throttled ones wait from it.
    const devices = (await h.storage.listDevices('t', { limit: 100 })).items;
    const assigned = devices.filter((d) => d.assignedAt !== null);
    expect(assigned).toHaveLength(5);
    for (const d of assigned) expect(d.assignedAt).toBe(iso());
    const retries = (await h.storage.listRetries('t')).items;
    expect(retries).toHaveLength(3);
    for (const r of retries) {
      const wait = Date.parse(r.nextAttemptAt!) - nowMs;
      expect(wait).toBeGreaterThanOrEqual(0.9 * 600_000);
      expect(wait).toBeLessThanOrEqual(1.1 * 600_000);
    }

    // The full fetch closed at the manager's time. The stored session is the one exception: the
    // store judges its expiry by the store's clock, so that clock stamps it (20 min ahead).
    expect((await h.storage.getCursor('t'))?.lastFullFetchAt).toBe(iso());
    const session = await h.storage.getSession('t');
    const storeNow = Date.parse(await h.storage.now());
    expect(Date.parse(session!.expiresAt) - storeNow).toBeGreaterThan(0);
    expect(Date.parse(session!.expiresAt) - storeNow).toBeLessThanOrEqual(20 * 60_000);

    // Retries come due on the manager's clock, not the store's: not yet, then 11 minutes on.
    nowMs += 5 * 60_000;
    expect((await h.manager.syncNow('t')).profiles.assigned).toBe(0);
    nowMs += 6 * 60_000;
    const later = await h.manager.syncNow('t');
    expect(later.profiles.assigned + later.profiles.throttled).toBe(3);
    const now = (await h.storage.listDevices('t', { limit: 100 })).items.filter(
      (d) => d.assignedAt === iso(),
    );
    expect(now).toHaveLength(later.profiles.assigned);
    expect((await h.storage.getToken('t'))?.lastSyncAt).toBe(iso());
  });

  it('keeps a usable stored session when its clock is a day behind the store', async () => {
    const behind = new Date(Math.floor(Date.now() / 1000) * 1000 - 24 * HOUR);
    h = await harness({ devices: 3, platforms: only('iPhone') }, { now: () => behind });
    await enroll(h, 'late');
    await h.manager.syncNow('late');
    // Stamped by the manager's clock, the session would have expired a day ago on arrival.
    const session = await h.storage.getSession('late');
    expect(session).not.toBeNull();
    expect(Date.parse(session!.expiresAt)).toBeGreaterThan(Date.parse(await h.storage.now()));
  });
});
