import { afterEach, describe, expect, it } from 'vitest';
import { type DeviceEvent, MemoryStorage, type ProfileEvent } from '../../../src/index.js';
import {
  assignedSerialCount,
  defineProfile,
  enroll,
  type Harness,
  harness,
  TEST_KEY,
} from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function setup(devices = 200): Promise<{ ios: string; mac: string; vip: string }> {
  h = await harness({ devices });
  await enroll(h, 'acme', { customerId: 'c-acme', siteId: 's-hq' });
  const ios = await defineProfile(h.manager, 'acme', 'iOS default');
  const mac = await defineProfile(h.manager, 'acme', 'macOS default');
  const vip = await defineProfile(h.manager, 'acme', 'VIP');
  return { ios, mac, vip };
}

describe('AbmManager sync', () => {
  it('first run fetches every device, assigns the resolved profiles, and lists the rest as Unassigned', async () => {
    const { ios, mac, vip } = await setup();
    const vipSerial = h.sim.devices.serials(1)[0]!;
    await h.manager.setPolicy('acme', {
      osDefaults: { ios, macos: mac },
      devices: { [vipSerial]: vip },
    });
    const added: DeviceEvent[] = [];
    const assigned: ProfileEvent[] = [];
    h.manager.on('device.added', (e) => void added.push(e));
    h.manager.on('profile.assigned', (e) => void assigned.push(e));

    const report = await h.manager.syncNow('acme');

    expect(report.status).toBe('completed');
    expect(report.fullFetch).toBe(true);
    expect(report.devices.added).toBe(200);
    expect(added).toHaveLength(200);
    const unassigned = await h.manager.listDevices('acme', { status: 'unassigned', limit: 1000 });
    expect(report.profiles.assigned + unassigned.items.length).toBe(200);
    expect(report.unassigned).toBe(unassigned.items.length);
    for (const d of unassigned.items) {
      expect(d.unassignedReason).toMatch(/no default profile/);
      expect(['tvOS', 'visionOS', 'watchOS']).toContain(d.device.os);
    }
    expect(assignedSerialCount(h.sim)).toBe(report.profiles.assigned);
    // The device-level override beats the OS default, at Apple too.
    expect(h.sim.devices.get(vipSerial)?.profile_uuid).toBe(vip);
    expect(assigned.find((e) => e.profileUuid === vip)?.serials).toEqual([vipSerial]);
    const ipad = (await h.manager.listDevices('acme', { limit: 1000 })).items.find(
      (d) => d.device.device_family === 'iPad' && d.serialNumber !== vipSerial,
    );
    expect(ipad?.assignedProfileUuid).toBe(ios);
    expect(report.totals?.assigned).toBe(report.profiles.assigned);
    // The run ends with the full fetch: the sync from its cursor is the next run's first request.
    expect(h.sim.counters.byEndpoint['syncDevices'] ?? 0).toBe(0);
    const cursor = await h.storage.getCursor('acme');
    expect(cursor).toMatchObject({ phase: 'sync', fullFetchId: null });
    expect(cursor?.lastFullFetchAt).not.toBeNull();
    const next = await h.manager.syncNow('acme');
    expect(next).toMatchObject({ status: 'completed', fullFetch: false });
    expect(h.sim.counters.byEndpoint['syncDevices']).toBeGreaterThanOrEqual(1);
  });

  it("a sync that finds nothing new stores its cursor with the run's end, also on a store that cannot", async () => {
    const plain = new MemoryStorage({ encryptionKey: TEST_KEY });
    // A custom store whose endSyncRun knows nothing of cursors: the manager writes the page.
    const legacy = new Proxy(plain, {
      get(target, key, receiver) {
        if (key === 'capabilities') return { ...target.capabilities, endSyncRunCursor: false };
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    for (const storage of [new MemoryStorage({ encryptionKey: TEST_KEY }), legacy]) {
      h = await harness({ devices: 20 }, {}, storage);
      await enroll(h, 'acme');
      await h.manager.syncNow('acme');
      const before = await storage.getCursor('acme');
      const report = await h.manager.syncNow('acme');
      expect(report).toMatchObject({ status: 'completed', pages: 1, phase: 'sync' });
      expect(report.devices).toMatchObject({ added: 0, modified: 0, removed: 0 });
      const after = await storage.getCursor('acme');
      expect(after?.cursor).not.toBe(before?.cursor);
      expect(after?.phase).toBe('sync');
      // The next run goes on from that cursor: Apple is not asked for the same changes again.
      h.sim.devices.add({ platform: 'iPhone' });
      expect((await h.manager.syncNow('acme')).devices.added).toBe(1);
      await h.close();
    }
  });

  it('later runs sync changes only: added devices get assigned, removed ones keep their history', async () => {
    const { ios, mac } = await setup(100);
    await h.manager.setPolicy('acme', { osDefaults: { ios, ipados: ios, macos: mac } });
    await h.manager.syncNow('acme');
    const fetchesBefore = h.sim.counters.byEndpoint['fetchDevices'] ?? 0;
    const gone = h.sim.devices.serials(1)[0]!;
    const fresh = h.sim.devices.add({ platform: 'Mac' });
    h.sim.devices.remove(gone);
    const removed: DeviceEvent[] = [];
    h.manager.on('device.removed', (e) => void removed.push(e));

    const report = await h.manager.syncNow('acme');

    expect(report.fullFetch).toBe(false);
    expect(h.sim.counters.byEndpoint['fetchDevices'] ?? 0).toBe(fetchesBefore);
    expect(report.devices.added).toBe(1);
    expect(report.devices.removed).toBe(1);
    expect(removed.map((e) => e.serialNumber)).toEqual([gone]);
    expect(h.sim.devices.get(fresh.serial_number)?.profile_uuid).toBe(mac);
    const history = await h.manager.listDevices('acme', { status: 'removed' });
    expect(history.items.map((d) => d.serialNumber)).toEqual([gone]);
    expect(history.items[0]?.assignedProfileUuid).toBeNull();
  });

  it('a first sync reads no stored device (the token held none); a later run reads what it merges', async () => {
    let reads = 0;
    const inner = new MemoryStorage({ encryptionKey: TEST_KEY });
    const storage = new Proxy(inner, {
      get(target, key) {
        if (key === 'getDevices') {
          return (...args: Parameters<MemoryStorage['getDevices']>) => {
            reads++;
            return target.getDevices(...args);
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    h = await harness({ devices: 250 }, { pageSize: 100 }, storage);
    await enroll(h, 'acme');
    const ios = await defineProfile(h.manager, 'acme', 'iOS default');
    await h.manager.setPolicy('acme', { osDefaults: { ios, ipados: ios, macos: ios } });
    const first = await h.manager.syncNow('acme');
    expect(first).toMatchObject({ status: 'completed', devices: { added: 250 } });
    expect(reads).toBe(0);
    h.sim.devices.add({ platform: 'Mac' });
    const later = await h.manager.syncNow('acme');
    expect(later).toMatchObject({ status: 'completed', devices: { added: 1 } });
    expect(reads).toBeGreaterThan(0);
  });

  it('does not assign again what is already assigned (second run sends no assign request)', async () => {
    const { ios, mac } = await setup(100);
    await h.manager.setPolicy('acme', { osDefaults: { ios, macos: mac } });
    await h.manager.syncNow('acme');
    const before = assignedSerialCount(h.sim);
    const report = await h.manager.syncNow('acme');
    expect(report.profiles.assigned).toBe(0);
    expect(assignedSerialCount(h.sim)).toBe(before);
  });

  it('treats a device reported as modified but never seen as new, and reports NOT_ACCESSIBLE without retrying it', async () => {
    const { ios } = await setup(20);
    await h.manager.setPolicy('acme', { osDefaults: { ios, ipados: ios } });
    await h.manager.syncNow('acme');
    const cursor = (await h.storage.getCursor('acme'))?.cursor;
    h.sim.faults.add({
      endpoint: 'syncDevices',
      status: 200,
      body: {
        devices: [
          {
            serial_number: 'MOVEDIN00001',
            os: 'iOS',
            device_family: 'iPhone',
            model: 'iPhone 15',
            op_type: 'modified',
            op_date: new Date().toISOString(),
          },
        ],
        cursor: cursor ?? '',
        more_to_follow: false,
      },
    });
    const added: string[] = [];
    const failed: ProfileEvent[] = [];
    h.manager.on('device.added', (e) => void added.push(e.serialNumber));
    h.manager.on('profile.failed', (e) => void failed.push(e));

    const report = await h.manager.syncNow('acme');

    expect(added).toEqual(['MOVEDIN00001']);
    expect(report.profiles.notAccessible).toBe(1);
    expect(failed[0]).toMatchObject({
      status: 'NOT_ACCESSIBLE',
      serials: ['MOVEDIN00001'],
      retryAt: null,
    });
    const queue = await h.storage.listRetries('acme');
    expect(queue.items).toMatchObject([{ serialNumber: 'MOVEDIN00001', status: 'NOT_ACCESSIBLE' }]);
    const sent = assignedSerialCount(h.sim);
    const again = await h.manager.syncNow('acme');
    expect(again.profiles.notAccessible).toBe(0);
    expect(assignedSerialCount(h.sim)).toBe(sent);
  });

  it('reports progress and sync lifecycle events in order', async () => {
    await setup(250);
    const seen: string[] = [];
    h.manager.on('lease.acquired', () => void seen.push('lease.acquired'));
    h.manager.on('sync.started', () => void seen.push('sync.started'));
    h.manager.on('sync.progress', (e) => void seen.push(`progress:${e.pages}`));
    h.manager.on('sync.completed', () => void seen.push('sync.completed'));
    h.manager.on('device.unassigned', () => void seen.push('unassigned'));
    const report = await h.manager.syncNow('acme');
    expect(seen[0]).toBe('lease.acquired');
    expect(seen[1]).toBe('sync.started');
    expect(seen.at(-1)).toBe('sync.completed');
    // Without a policy every device is Unassigned, with the reason to set one.
    expect(seen.filter((s) => s === 'unassigned')).toHaveLength(250);
    expect(report.unassigned).toBe(250);
    const list = await h.manager.listDevices('acme', { status: 'unassigned', limit: 1 });
    expect(list.items[0]?.unassignedReason).toMatch(/setPolicy/);
  });

  it('runs concurrent syncNow calls for one token as one run', async () => {
    await setup(50);
    const [a, b] = await Promise.all([h.manager.syncNow('acme'), h.manager.syncNow('acme')]);
    expect(a).toBe(b);
    expect(h.sim.counters.byEndpoint['fetchDevices']).toBe(1);
  });
});
