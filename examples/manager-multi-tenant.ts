/**
 * An RMM product with many customers: one ABM token per customer site, one AbmManager for all,
 * a renewal reminder, and routing of enrolling devices to their tenant.
 *
 *   npm run build && tsx examples/manager-multi-tenant.ts
 */
import { randomBytes } from 'node:crypto';
import { AbmManager, MemoryStorage, profilePreset } from 'abmkit';
import { createDepSimulator } from 'abmkit/testing';

const storage = new MemoryStorage({ encryptionKey: randomBytes(32) });
const manager = new AbmManager({ storage, userAgent: 'ExampleRMM/1.0', concurrency: 8 });
manager.on('token.renew-soon', (e) =>
  console.log(`⚠ ${e.tokenId}: renew within ${e.health.daysLeft} days — ${e.health.advice}`),
);
manager.on('profile.assigned', (e) =>
  console.log(`${e.tokenId}: ${e.serials.length} devices got profile ${e.profileUuid}`),
);

// Each customer site has its own MDM server in its customer's ABM (here: one simulator each).
const sites = [
  { tokenId: 'contoso-paris', customerId: 'contoso', siteId: 'paris', expiresInDays: 365 },
  { tokenId: 'contoso-lyon', customerId: 'contoso', siteId: 'lyon', expiresInDays: 20 },
  { tokenId: 'fabrikam-hq', customerId: 'fabrikam', siteId: 'hq', expiresInDays: 200 },
];
const sims = [];
for (const [i, site] of sites.entries()) {
  const sim = createDepSimulator({ devices: 50, seed: i + 1 });
  sims.push(sim);
  const baseUrl = await sim.listen();
  const pem = await manager.createKeyPair(site.tokenId, { ...site, baseUrl });
  const expiresAt = new Date(Date.now() + site.expiresInDays * 86_400_000);
  await manager.uploadServerToken(
    site.tokenId,
    (await sim.issueServerToken(pem, { expiresAt })).file,
  );
  const client = await manager.client(site.tokenId);
  const url = 'https://rmm.example/enroll';
  const { profile_uuid } = await client.defineProfile(
    profilePreset('automated', { name: 'Default', url }),
  );
  await manager.setPolicy(site.tokenId, {
    osDefaults: {
      ios: profile_uuid,
      macos: profile_uuid,
      tvos: profile_uuid,
      visionos: profile_uuid,
    },
  });
}

for (const site of sites) await manager.syncNow(site.tokenId);

console.log(
  '\nContoso tokens:',
  (await manager.listTokens({ customerId: 'contoso' })).map((t) => `${t.tokenId} (${t.status})`),
);
// The enrollment endpoint receives a device: which tenant does it belong to?
const serial = sims[1]!.devices.serials(1)[0]!;
const route = await manager.lookupDevice(serial);
console.log(`Device ${serial} enrolls into customer ${route?.customerId}, site ${route?.siteId}`);
await manager.markEnrolled(route!.tokenId, serial);

await manager.stop();
for (const sim of sims) await sim.close();
