/**
 * Serial Number (CSV) assignment through the Apple Business Manager API: put devices on an MDM
 * server from a CSV, then see them arrive through ADE sync. Runs against the simulator.
 *
 *   npx tsup && node --import tsx examples/assign-by-csv.ts
 *
 * In production, drop `baseUrl`/`tokenUrl` and use the API account's credentials from ABM
 * (Preferences → API: client id, key id, and the private key PEM downloaded once).
 */
import { Readable } from 'node:stream';
import { AbmClient } from 'abmkit';
import { AbmApiClient } from 'abmkit/api';
import { createDepSimulator } from 'abmkit/testing';

const sim = createDepSimulator({ devices: 10, seed: 1 });
const baseUrl = await sim.listen();
sim.businessApi.activityLatencyMs = 200; // activities finish 200 ms after creation (simulator clock)
const { first, serialAt } = sim.businessApi.addUnassignedDevices(3); // in the org, on no server
const account = sim.businessApi.createAccount(); // { clientId, keyId, privateKey }

const api = new AbmApiClient({
  ...account,
  baseUrl,
  tokenUrl: `${baseUrl}/auth/oauth2/token`,
  userAgent: 'AssignByCsvExample/1.0',
});

// 1. Find the MDM server (here: the one the simulator's ADE token belongs to).
let serverId = '';
for await (const server of api.mdmServers({ fields: ['serverName'] })) {
  console.log(`MDM server ${server.id}: ${server.serverName}`);
  serverId ||= server.id;
}

// 2. A CSV as admins export it: header, a duplicate, a typo, a serial the org does not have.
const csv = [
  'Serial Number',
  first,
  serialAt(1),
  serialAt(1),
  serialAt(2),
  'not-a-serial!',
  'NOSUCHDEV01',
].join('\n');
const report = await api.assignDevicesToServer(serverId, Readable.from([csv]), {
  poll: { intervalMs: 100 },
});
console.log('assigned:', report.assigned);
console.log('not in the organisation:', report.notFound);
console.log(
  'invalid rows:',
  report.invalid.map((r) => `line ${r.line}: ${r.reason}`),
);
console.log('duplicates dropped:', report.duplicates);

// 3. The ADE side sees them as `added` on its next sync (then a profile can be assigned).
const c = sim.tokens.create();
const ade = new AbmClient({
  token: {
    consumerKey: c.consumer_key,
    consumerSecret: c.consumer_secret,
    accessToken: c.access_token,
    accessSecret: c.access_secret,
    accessTokenExpiry: new Date(c.access_token_expiry),
  },
  baseUrl,
  userAgent: 'AssignByCsvExample/1.0',
});
const seen: string[] = [];
for await (const page of ade.devicePages()) {
  for (const device of page.devices) seen.push(device.serial_number);
}
console.log(
  `ADE sync sees ${report.assigned.filter((s) => seen.includes(s)).length} of ${report.assigned.length} assigned devices`,
);
await sim.close();
