import { afterEach, describe, expect, it } from 'vitest';
import { enroll, type Harness, harness, only } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

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
});
