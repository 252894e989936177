/**
 * The enrollment endpoint: the URL of your ADE profile. A device in Setup Assistant POSTs its
 * signed MachineInfo; the handler verifies it, routes it to its tenant, enforces a minimum OS and
 * answers with the enrollment profile. Here a simulated device does the POSTing.
 *
 *   npm run build && tsx examples/enrollment-endpoint.ts
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbmManager, MemoryStorage, profilePreset } from 'abmkit';
import { buildEnrollmentProfile, createEnrollmentHandler, toNodeListener } from 'abmkit/enrollment';
import { createDepSimulator, SIMULATOR_DEVICE_CA_PEM } from 'abmkit/testing';

const sim = createDepSimulator({
  devices: 3,
  seed: 7,
  platforms: { iPhone: 1, iPad: 0, Mac: 0, AppleTV: 0, Vision: 0, Watch: 0 },
});
const manager = new AbmManager({
  storage: new MemoryStorage({ encryptionKey: randomBytes(32) }),
  baseUrl: await sim.listen(),
  telemetry: false,
});
manager.on('enrollment.software-update-required', (e) =>
  console.log(
    `${e.serialNumber} (${e.customerId}): update ${e.osVersion} → ${e.requiredOsVersion}`,
  ),
);
manager.on('enrollment.profile-served', (e) =>
  console.log(`${e.serialNumber} (${e.customerId}/${e.siteId}): profile served`),
);

// 1. The endpoint. In production leave out trustAnchors: Apple's device CA is pinned by default.
const handler = createEnrollmentHandler({
  manager,
  trustAnchors: [SIMULATOR_DEVICE_CA_PEM],
  minimumOs: { ios: '18.2', macos: '15.2' },
  resolve: async ({ machineInfo, device }) => {
    if (device === null) return { kind: 'refuse', reason: 'not one of our devices' };
    const profile = await buildEnrollmentProfile({
      identifier: `com.example.mdm.${device.customerId}`,
      organization: device.customerId ?? 'Example',
      mdm: { serverUrl: 'https://mdm.example/mdm', topic: 'com.apple.mgmt.External.example' },
      identity: { type: 'acme', directoryUrl: 'https://mdm.example/acme/directory' },
      device: machineInfo,
    });
    return { kind: 'profile', profile };
  },
});
const server = createServer(toNodeListener(handler));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const enrollUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/enroll`;

// 2. ABM side: a token, an ADE profile whose url is the endpoint, a sync that assigns it.
const pem = await manager.createKeyPair('acme-hq', { customerId: 'acme', siteId: 'hq' });
await manager.uploadServerToken('acme-hq', (await sim.issueServerToken(pem)).file);
const client = await manager.client('acme-hq');
const { profile_uuid } = await client.defineProfile(
  profilePreset('automated', { name: 'Phones', url: enrollUrl }),
);
await manager.setPolicy('acme-hq', { osDefaults: { ios: profile_uuid } });
await manager.syncNow('acme-hq');

// 3. Devices come out of the box.
const [oldPhone, newPhone] = sim.devices.serials(2) as [string, string];
const old = await sim.devices.activate(oldPhone, { osVersion: '17.5.1' });
console.log(
  `old-OS device: ${old.steps.map((s) => s.status).join(' → ')} (now on ${old.osVersion})`,
);
const current = await sim.devices.activate(newPhone, { osVersion: '18.3' });
console.log(`current device: ${current.steps.map((s) => s.status).join(' → ')}`);

// 4. Apple reports the profile pushed on the next sync; your MDM sees the device check in.
await manager.syncNow('acme-hq');
await manager.markEnrolled('acme-hq', oldPhone);
const history = await manager.deviceStatusHistory('acme-hq', oldPhone);
console.log(`status history: ${history?.map((h) => h.status).join(' → ')}`);

await new Promise((resolve) => server.close(resolve));
await sim.close();
