import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createAdminHandler } from '../../../src/admin/index.js';
import {
  buildEnrollmentProfile,
  createEnrollmentHandler,
  type EnrollmentContext,
  toNodeListener,
} from '../../../src/enrollment/index.js';
import { AbmManager, type EnrollmentEventPayload, profilePreset } from '../../../src/index.js';
import { createDepSimulator, SIMULATOR_DEVICE_CA_PEM } from '../../../src/testing/index.js';
import {
  fileKind,
  memoryKind,
  postgresKind,
  redisKind,
  type StoreKind,
} from '../manager/stores.js';

const kinds: StoreKind[] = [await postgresKind(), memoryKind(), fileKind(), await redisKind()];
afterAll(async () => {
  for (const k of kinds) await k.dispose();
});

const IPHONES = { iPhone: 1, iPad: 0, Mac: 0, AppleTV: 0, Vision: 0, Watch: 0 };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

for (const kind of kinds) {
  describe.skipIf(!kind.available)(`enrollment end to end on ${kind.name}`, () => {
    it('sync, assign, activate an old-OS device (update, then profile), then a current one', async () => {
      const sim = createDepSimulator({ devices: 6, seed: 15, platforms: IPHONES });
      const abmUrl = await sim.listen();
      const storage = await kind.open('enroll-e2e');
      let now = new Date('2026-03-01T10:00:00Z');
      const manager = new AbmManager({
        storage,
        baseUrl: abmUrl,
        telemetry: false,
        now: () => now,
      });
      const seen: EnrollmentContext[] = [];
      const events: [string, EnrollmentEventPayload][] = [];
      for (const name of [
        'enrollment.requested',
        'enrollment.software-update-required',
        'enrollment.profile-served',
        'enrollment.refused',
      ] as const) {
        manager.on(name, (e) => void events.push([name, e]));
      }
      const handler = createEnrollmentHandler({
        manager,
        trustAnchors: [SIMULATOR_DEVICE_CA_PEM],
        minimumOs: { ios: '17.4 (a)' },
        resolve: async (ctx) => {
          seen.push(ctx);
          if (ctx.device === null) return { kind: 'refuse', reason: 'unknown device' };
          const profile = await buildEnrollmentProfile({
            identifier: `com.acme.${ctx.device.customerId}.enroll`,
            mdm: { serverUrl: 'https://mdm.acme.test/mdm', topic: 'com.apple.mgmt.External.e2e' },
            identity: { type: 'acme', directoryUrl: 'https://mdm.acme.test/acme' },
            device: ctx.machineInfo,
          });
          return { kind: 'profile', profile };
        },
      });
      const server = createServer(toNodeListener(handler));
      const enrollUrl = `${await listen(server)}/enroll`;
      try {
        const pem = await manager.createKeyPair('t', { customerId: 'acme', siteId: 'hq' });
        await manager.uploadServerToken('t', (await sim.issueServerToken(pem)).file);
        const client = await manager.client('t');
        const { profile_uuid } = await client.defineProfile(
          profilePreset('automated', { name: 'Phones', url: enrollUrl }),
        );
        await manager.setPolicy('t', { osDefaults: { ios: profile_uuid } });
        const report = await manager.syncNow('t');
        expect(report.profiles.assigned).toBe(6);
        const [oldSerial, newSerial] = sim.devices.serials(2) as [string, string];

        now = new Date('2026-03-01T10:05:00Z');
        const old = await sim.devices.activate(oldSerial, { osVersion: '17.4' });
        expect(old.steps.map((s) => [s.osVersion, s.status])).toEqual([
          ['17.4', 403],
          ['17.4 (a)', 200],
        ]);
        expect(old.steps[0]?.softwareUpdate).toEqual({
          osVersion: '17.4 (a)',
          buildVersion: undefined,
        });
        expect(old.contentType).toBe('application/x-apple-aspen-config');
        expect(Buffer.from(old.body).toString('utf8')).toContain(`<string>${oldSerial}</string>`);

        const current = await sim.devices.activate(newSerial, { osVersion: '18.1' });
        expect(current.steps.map((s) => s.status)).toEqual([200]);

        // The tenant reached resolve (only after the minimum OS was met).
        expect(
          seen.map((c) => [c.machineInfo.serialNumber, c.device?.customerId, c.device?.siteId]),
        ).toEqual([
          [oldSerial, 'acme', 'hq'],
          [newSerial, 'acme', 'hq'],
        ]);
        expect(events.map(([n, e]) => [n, e.serialNumber])).toEqual([
          ['enrollment.requested', oldSerial],
          ['enrollment.software-update-required', oldSerial],
          ['enrollment.requested', oldSerial],
          ['enrollment.profile-served', oldSerial],
          ['enrollment.requested', newSerial],
          ['enrollment.profile-served', newSerial],
        ]);

        // Apple now reports the profile pushed; the device then finishes enrollment.
        now = new Date('2026-03-01T10:10:00Z');
        await manager.syncNow('t');
        expect((await manager.lookupDevice(oldSerial))?.status).toBe('profile-served');
        // The status is a filter like the others: the manager and the admin API list by it.
        const served = await manager.listDevices('t', { status: 'profile-served' });
        expect(served.items.map((d) => d.serialNumber).sort()).toEqual(
          [oldSerial, newSerial].sort(),
        );
        expect(served.items.every((d) => d.status === 'profile-served')).toBe(true);
        const admin = createAdminHandler(manager, { authorize: () => true });
        try {
          const res = await admin(
            new Request('http://admin.test/tokens/t/devices?status=profile-served'),
          );
          expect(res.status).toBe(200);
          const body = (await res.json()) as { items: { serialNumber: string; status: string }[] };
          expect(body.items.map((d) => [d.serialNumber, d.status]).sort()).toEqual(
            [oldSerial, newSerial].sort().map((serial) => [serial, 'profile-served']),
          );
        } finally {
          await admin.close();
        }
        await manager.markEnrolled('t', oldSerial);
        const history = await manager.deviceStatusHistory('t', oldSerial);
        expect(history?.map((h) => h.status)).toEqual([
          'unassigned',
          'assigned',
          'pushed',
          'profile-served',
          'enrolled',
        ]);
        expect(history?.find((h) => h.status === 'profile-served')?.at).toBe(
          '2026-03-01T10:05:00.000Z',
        );
        expect((await storage.countDevices('t'))['profile-served']).toBe(1);
      } finally {
        await new Promise((resolve) => server.close(resolve));
        await sim.close();
      }
    }, 60_000);
  });
}
