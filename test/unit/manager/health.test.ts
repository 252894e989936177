import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TokenEvent } from '../../../src/index.js';
import { defineProfile, enroll, type Harness, harness, only } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
  vi.useRealTimers();
});

function record(names: string[]): (name: string) => (e: TokenEvent) => void {
  return (name) => () => void names.push(name);
}

describe('AbmManager token health', () => {
  it('announces renew-soon and expiry once per transition, and stops syncing an expired token', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-05-01T00:00:00Z') });
    h = await harness({ devices: 10, platforms: only('iPhone') });
    const events: string[] = [];
    const on = record(events);
    h.manager.on('token.renew-soon', on('renew-soon'));
    h.manager.on('token.expired', on('expired'));
    await enroll(h, 't', { expiresAt: new Date('2026-06-15T00:00:00Z') });
    const ios = await defineProfile(h.manager, 't', 'iOS');
    await h.manager.setPolicy('t', { osDefaults: { ios } });
    expect((await h.manager.syncNow('t')).status).toBe('completed');
    expect(events).toEqual([]);

    vi.setSystemTime(new Date('2026-05-20T00:00:00Z'));
    await h.manager.syncNow('t');
    await h.manager.syncNow('t');
    expect(events).toEqual(['renew-soon']);
    const soon = await h.manager.health('t');
    expect(soon).toMatchObject({ status: 'renew-soon', daysLeft: 26 });
    expect(soon.advice).toMatch(/new token/);

    vi.setSystemTime(new Date('2026-06-16T00:00:00Z'));
    const requests = h.sim.counters.requests;
    const expired = await h.manager.syncNow('t');
    const again = await h.manager.syncNow('t');
    expect(events).toEqual(['renew-soon', 'expired']);
    expect(expired).toMatchObject({ status: 'skipped', skipped: 'unhealthy' });
    expect(again.error?.code).toBe('TOKEN_EXPIRED');
    expect(h.sim.counters.requests).toBe(requests);
    // Devices, including assigned ones, are left exactly as they were.
    const devices = await h.manager.listDevices('t');
    expect(devices.items).toHaveLength(10);
    expect(devices.items.every((d) => d.status === 'assigned')).toBe(true);
    expect((await h.manager.health('t')).status).toBe('expired');
  });

  it('terms not signed: stops with a clear status, probes on syncNow, recovers when signed', async () => {
    h = await harness({ devices: 10 });
    await enroll(h, 't');
    await h.manager.syncNow('t');
    const events: string[] = [];
    const on = record(events);
    h.manager.on('token.terms-not-signed', on('terms'));
    h.manager.on('token.valid', on('valid'));
    h.sim.account.setTermsSigned(false);
    h.sim.sessions.invalidateAll();

    const failed = await h.manager.syncNow('t');
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('TERMS_NOT_SIGNED');
    const health = await h.manager.health('t');
    expect(health.status).toBe('terms-not-signed');
    expect(health.lastError?.code).toBe('TERMS_NOT_SIGNED');
    expect(health.advice).toMatch(/accept/);
    await h.manager.syncNow('t');
    expect(events).toEqual(['terms']);

    h.sim.account.setTermsSigned(true);
    const ok = await h.manager.syncNow('t');
    expect(ok.status).toBe('completed');
    expect(events).toEqual(['terms', 'valid']);
    expect(await h.manager.health('t')).toMatchObject({ status: 'valid', lastError: null });
  });

  it('a revoked token becomes rejected and is only probed hourly by the schedule', async () => {
    h = await harness({ devices: 10 }, { syncIntervalMs: 60_000, staggerMs: 0 });
    const ck = await enroll(h, 't');
    await h.manager.syncNow('t');
    const rejected: TokenEvent[] = [];
    h.manager.on('token.rejected', (e) => void rejected.push(e));
    h.sim.tokens.revoke(ck);
    h.sim.sessions.invalidateAll();
    const report = await h.manager.syncNow('t');
    expect(report.error?.code).toMatch(/TOKEN_REJECTED|ACCESS_DENIED/);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.health.status).toBe('rejected');
    const requests = h.sim.counters.requests;
    await h.manager.start();
    const skipped = await new Promise<unknown>((resolve) => {
      const t = setTimeout(() => resolve('no run'), 300);
      h.manager.once('sync.started', () => {
        clearTimeout(t);
        resolve('ran');
      });
    });
    expect(skipped).toBe('no run');
    expect(h.sim.counters.requests).toBe(requests);
  });

  it('a token that expires during a run stops it and keeps every applied page', async () => {
    h = await harness({ devices: 300 }, { pageSize: 100 });
    const ck = await enroll(h, 't');
    const expired: TokenEvent[] = [];
    h.manager.on('token.expired', (e) => void expired.push(e));
    h.manager.on('sync.progress', (e) => {
      if (e.pages === 1) h.sim.tokens.setExpiry(ck, new Date(Date.now() - 1000));
      if (e.pages === 1) h.sim.sessions.invalidateAll();
    });
    const report = await h.manager.syncNow('t');
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('TOKEN_EXPIRED');
    expect(report.pages).toBe(1);
    expect(expired).toHaveLength(1);
    expect((await h.manager.health('t')).status).toBe('expired');
    const cursor = await h.storage.getCursor('t');
    expect(cursor?.phase).toBe('full');
    expect(cursor?.cursor).not.toBeNull();
    expect((await h.manager.listDevices('t', { limit: 1000 })).items).toHaveLength(100);
  });
});
