import { afterAll, describe, expect, it } from 'vitest';
import { AbmManager, profilePreset } from '../../../src/index.js';
import { createDepSimulator } from '../../../src/testing/index.js';
import { withInjectedClock } from './injected-clock.js';
import { fileKind, memoryKind, postgresKind, redisKind, type StoreKind } from './stores.js';

const kinds: StoreKind[] = [memoryKind(), fileKind(), await postgresKind(), await redisKind()];
afterAll(async () => {
  for (const k of kinds) await k.dispose();
});

const MOBILE = { iPhone: 1, iPad: 1, Mac: 1, AppleTV: 0, Vision: 0, Watch: 0 };

for (const kind of kinds) {
  describe.skipIf(!kind.available)(`AbmManager end to end on ${kind.name}`, () => {
    it('syncs, assigns, follows ABM changes, survives an expired cursor, throttling and a policy change', async () => {
      const sim = createDepSimulator({
        devices: 600,
        seed: 99,
        platforms: MOBILE,
        throttle: { maxSerialsPerWindow: 1_000_000, retryAfterSeconds: 3600 },
      });
      const url = await sim.listen();
      const storage = await kind.open('e2e');
      // The clock is injected (the manager's `now`, and the store's): the throttled retry comes
      // due when the test says so, not when a loaded machine happens to pass a wall-clock margin.
      // It starts at the wall clock's second, inside the server token's validity.
      const clock = withInjectedClock(storage, Math.floor(Date.now() / 1000) * 1000);
      const manager = new AbmManager({
        storage: clock.storage,
        now: clock.now,
        baseUrl: url,
        pageSize: 200,
        telemetry: false,
        retry: { limit: 1, baseDelayMs: 1 },
      });
      try {
        const pem = await manager.createKeyPair('t', { customerId: 'cust', siteId: 'site' });
        await manager.uploadServerToken('t', (await sim.issueServerToken(pem)).file);
        const client = await manager.client('t');
        const define = async (name: string) =>
          (
            await client.defineProfile(
              profilePreset('automated', { name, url: 'https://m.example/e' }),
            )
          ).profile_uuid;
        const ios = await define('iOS');
        const mac = await define('Mac');
        const vip = await define('VIP');
        await manager.setPolicy('t', { osDefaults: { ios, macos: mac } });
        const throttled = sim.devices.serials(5);
        sim.devices.setAssignOutcome(throttled, 'THROTTLED');

        // 1. First sync: full fetch over 3 pages, assignment, 5 serials throttled for an hour.
        const first = await manager.syncNow('t');
        expect(first).toMatchObject({ status: 'completed', fullFetch: true });
        expect(first.devices.added).toBe(600);
        expect(first.profiles.throttled).toBe(5);
        expect(first.profiles.assigned).toBe(595);
        sim.devices.setAssignOutcome(throttled, undefined);
        const early = await manager.syncNow('t');
        expect(early.profiles.assigned).toBe(0);
        clock.advance(2 * 3_600_000); // past the hour (and its ±10 % jitter)
        const retried = await manager.syncNow('t');
        expect(retried.profiles.assigned).toBe(5);
        expect((await storage.listRetries('t')).items).toEqual([]);

        // 2. Changes in ABM, seen through an expired cursor: full re-fetch, removals marked.
        const added = [
          sim.devices.add({ platform: 'Mac' }),
          sim.devices.add({ platform: 'iPhone' }),
        ];
        const removed = sim.devices.serials(600).slice(100, 103);
        for (const s of removed) sim.devices.remove(s);
        sim.faults.add({ endpoint: 'syncDevices', status: 400, body: 'EXPIRED_CURSOR' });
        const refetch = await manager.syncNow('t');
        expect(refetch).toMatchObject({ status: 'completed', fullFetch: true });
        expect(refetch.devices.removed).toBe(3);
        expect(refetch.profiles.assigned).toBe(2);
        expect(sim.devices.get(added[0]!.serial_number)?.profile_uuid).toBe(mac);

        // 3. A policy change re-plans without a fetch.
        const fetches = sim.counters.byEndpoint['fetchDevices'] ?? 0;
        const target = sim.devices.serials(1)[0]!;
        await manager.setPolicy('t', {
          osDefaults: { ios, macos: mac },
          devices: { [target]: vip },
        });
        const replanned = await manager.syncNow('t');
        expect(sim.counters.byEndpoint['fetchDevices'] ?? 0).toBe(fetches);
        expect(replanned.profiles.assigned).toBe(1);
        expect(sim.devices.get(target)?.profile_uuid).toBe(vip);

        // Every live device has its resolved profile at Apple; removed ones are kept as history.
        const counts = await storage.countDevices('t');
        expect(counts.removed).toBe(3);
        expect(counts.unassigned).toBe(0);
        expect(counts.assigned + counts.pushed).toBe(599);
        const found = await manager.lookupDevice(removed[0]!);
        expect(found).toMatchObject({ tokenId: 't', customerId: 'cust', status: 'removed' });
        const sent = sim.requests
          .filter((r) => r.endpoint === 'assignProfile')
          .reduce((n, r) => n + (r.serialsIn ?? 0), 0);
        expect(sent).toBe(600 + 5 + 2 + 1);
      } finally {
        await manager.stop();
        await storage.close();
        await sim.close();
      }
    });

    it('a run that writes no device reports the counts and unresolved devices read at its start', async () => {
      const sim = createDepSimulator({ devices: 12, seed: 7, platforms: MOBILE });
      const url = await sim.listen();
      const storage = await kind.open('quiet');
      const manager = new AbmManager({ storage, baseUrl: url, telemetry: false });
      try {
        const pem = await manager.createKeyPair('t');
        await manager.uploadServerToken('t', (await sim.issueServerToken(pem)).file);
        const first = await manager.syncNow('t');
        expect(first.totals?.unassigned).toBe(12);
        const noProfile = async () =>
          (await manager.health('t')).problems.filter((p) => p.code === 'NO_PROFILE');
        expect((await noProfile())[0]?.message).toMatch(/^12 device\(s\) stay Unassigned/);
        // Nothing changed at Apple: the run writes no device, and reports the same.
        const quiet = await manager.syncNow('t');
        expect(quiet.devices).toMatchObject({ added: 0, modified: 0, removed: 0 });
        expect(quiet.totals).toEqual(first.totals);
        expect((await noProfile())[0]?.message).toMatch(/^12 device\(s\) stay Unassigned/);
        // A policy change re-plans every device: that run reads them back.
        const client = await manager.client('t');
        const all = (
          await client.defineProfile(
            profilePreset('automated', { name: 'All', url: 'https://m.example/e' }),
          )
        ).profile_uuid;
        await manager.setPolicy('t', { osDefaults: { ios: all, ipados: all, macos: all } });
        const replanned = await manager.syncNow('t');
        expect(replanned.profiles.assigned).toBe(12);
        expect(replanned.totals?.unassigned).toBe(0);
        expect(await noProfile()).toEqual([]);
      } finally {
        await manager.stop();
        await sim.close();
      }
    });
  });
}
