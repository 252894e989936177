import { afterEach, describe, expect, it } from 'vitest';
import { defineProfile, enroll, type Harness, harness, only } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function count(endpoint: string): number {
  return h.sim.counters.byEndpoint[endpoint] ?? 0;
}

describe('AbmManager policy changes', () => {
  it('re-plans affected devices on the next run without re-fetching', async () => {
    h = await harness({ devices: 40, platforms: { ...only('iPhone'), Mac: 1 } });
    await enroll(h, 't');
    const ios = await defineProfile(h.manager, 't', 'iOS');
    const mac = await defineProfile(h.manager, 't', 'Mac');
    const exec = await defineProfile(h.manager, 't', 'Executive');
    await h.manager.setPolicy('t', { osDefaults: { ios } });
    const first = await h.manager.syncNow('t');
    const macs = (await h.manager.listDevices('t', { status: 'unassigned', limit: 100 })).items;
    expect(macs.length).toBeGreaterThan(0);
    expect(first.unassigned).toBe(macs.length);
    const ceo = (await h.manager.listDevices('t', { status: 'assigned', limit: 1 })).items[0]!;
    const fetches = count('fetchDevices');
    const assignsBefore = h.sim.requests.filter((r) => r.endpoint === 'assignProfile').length;

    await h.manager.setPolicy('t', {
      osDefaults: { ios, macos: mac },
      devices: { [ceo.serialNumber]: exec },
    });
    const report = await h.manager.syncNow('t');

    expect(count('fetchDevices')).toBe(fetches);
    expect(report.fullFetch).toBe(false);
    expect(report.profiles.assigned).toBe(macs.length + 1);
    expect(h.sim.devices.get(ceo.serialNumber)?.profile_uuid).toBe(exec);
    for (const d of macs) expect(h.sim.devices.get(d.serialNumber)?.profile_uuid).toBe(mac);
    const assigns = h.sim.requests
      .filter((r) => r.endpoint === 'assignProfile')
      .slice(assignsBefore);
    expect(assigns.map((r) => r.serialsIn).sort()).toEqual([1, macs.length].sort());
    expect((await h.manager.listDevices('t', { status: 'unassigned' })).items).toEqual([]);
    const after = await h.storage.getDevice('t', ceo.serialNumber);
    expect(after?.planRevision).toBe((await h.manager.getPolicy('t'))?.revision);
  });
});

describe('AbmManager keeps the policies it compiled', () => {
  it('plans with a policy another replica set after its no-change runs with the one it knew', async () => {
    h = await harness({ devices: 6, platforms: only('iPhone') });
    await enroll(h, 't');
    const a = await defineProfile(h.manager, 't', 'A');
    const b = await defineProfile(h.manager, 't', 'B');
    await h.manager.setPolicy('t', { osDefaults: { ios: a } });
    expect((await h.manager.syncNow('t')).profiles.assigned).toBe(6);
    // A no-change run with the policy this manager knows.
    expect((await h.manager.syncNow('t')).profiles.assigned).toBe(0);
    // Another replica (here, straight through the store) sends one device elsewhere.
    const [first] = (await h.manager.listDevices('t', { limit: 1 })).items;
    await h.storage.setPolicy('t', {
      osDefaults: { ios: a },
      devices: { [first!.serialNumber]: b },
    });
    const replanned = await h.manager.syncNow('t');
    expect(replanned.profiles.assigned).toBe(1);
    expect(h.sim.devices.get(first!.serialNumber)?.profile_uuid).toBe(b);
  });
});

describe('AbmManager cursors', () => {
  it('falls back to a full fetch on an expired cursor, then marks devices ABM no longer lists as removed', async () => {
    h = await harness({ devices: 30 });
    await enroll(h, 't');
    await h.manager.syncNow('t');
    // Devices released while the cursor was stale never show up as deletions.
    const gone = h.sim.devices.serials(2);
    for (const serial of gone) h.sim.devices.remove(serial);
    h.sim.faults.add({ endpoint: 'syncDevices', status: 400, body: 'EXPIRED_CURSOR' });
    const removed: string[] = [];
    h.manager.on('device.removed', (e) => void removed.push(e.serialNumber));

    const report = await h.manager.syncNow('t');

    expect(report.status).toBe('completed');
    expect(report.fullFetch).toBe(true);
    expect(report.devices.removed).toBe(2);
    expect(removed.sort()).toEqual([...gone].sort());
    const history = await h.manager.listDevices('t', { status: 'removed' });
    expect(history.items.map((d) => d.serialNumber).sort()).toEqual([...gone].sort());
    const cursor = await h.storage.getCursor('t');
    expect(cursor).toMatchObject({ phase: 'sync', fullFetchId: null });
    expect(cursor?.lastFullFetchAt).not.toBeNull();
    // The next run is incremental again.
    expect((await h.manager.syncNow('t')).fullFetch).toBe(false);
  });

  it('an invalid cursor after an admin reset also re-fetches everything', async () => {
    h = await harness({ devices: 15 });
    await enroll(h, 't');
    await h.manager.syncNow('t');
    await h.storage.resetCursor('t');
    const report = await h.manager.syncNow('t');
    expect(report.fullFetch).toBe(true);
    expect(report.devices.removed).toBe(0);
    expect((await h.manager.listDevices('t', { limit: 100 })).items).toHaveLength(15);
  });
});
