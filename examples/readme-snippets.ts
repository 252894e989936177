/**
 * The README's code snippets, type-checked by CI (`npm run typecheck:examples`) so that the
 * README cannot drift from the API. Not meant to be run: see quick-start.ts and demo.ts for that.
 */
import { createReadStream } from 'node:fs';
import {
  AbmClient,
  AbmManager,
  type AdeDevice,
  compilePolicy,
  decryptServerToken,
  FileStorage,
  generateKeyPair,
  isAbmError,
  parseSerialCsv,
  planAssignments,
  profilePreset,
  resolveProfile,
  serverTokenFromJSON,
  tokenHealth,
} from 'abmkit';
import { createDepSimulator } from 'abmkit/testing';

declare const fileContents: string;
declare const p7mFile: Uint8Array;
declare const key32Bytes: Uint8Array;
declare const serials: string[];
declare const profileUuid: string;
declare const serialNumber: string;
declare const devices: AdeDevice[];
declare const device: AdeDevice;
declare function saveDevices(devices: AdeDevice[]): Promise<void>;
declare function saveCursor(cursor: string): Promise<void>;
declare function notifyAdmin(...args: unknown[]): void;

export async function tokenExchange(): Promise<void> {
  const { privateKeyPem, certificatePem } = await generateKeyPair({ commonName: 'Acme MDM' });
  console.log(certificatePem);
  const token = await decryptServerToken(fileContents, privateKeyPem);
  console.log(token, tokenHealth(token).status);
}

export async function talkToAde(): Promise<void> {
  const token = await decryptServerToken(fileContents, '');
  const client = new AbmClient({ token, userAgent: 'AcmeMDM/4.2' });
  const account = await client.getAccount();
  console.log(account.server_name);
  for await (const page of client.devicePages({ limit: 1000 })) {
    await saveDevices(page.devices);
    if (page.cursor) await saveCursor(page.cursor);
  }
  try {
    const result = await client.assignProfile(profileUuid, serials);
    console.log(result.devices);
  } catch (err) {
    if (isAbmError(err, 'TERMS_NOT_SIGNED')) console.error(err.message);
  }
}

export async function wholeIntegration(): Promise<void> {
  const manager = new AbmManager({
    storage: new FileStorage({ directory: '/var/lib/acme/abm', encryptionKey: key32Bytes }),
    userAgent: 'AcmeMDM/4.2',
  });
  const certificatePem: string = await manager.createKeyPair('acme-hq', {
    customerId: 'acme',
    siteId: 'hq',
  });
  console.log(certificatePem);
  await manager.uploadServerToken('acme-hq', p7mFile);
  await manager.setPolicy('acme-hq', {
    devices: { C02XK1JQJG5H: profileUuid },
    groups: [{ id: 'sales', profileUuid, serials }],
    osDefaults: { ios: profileUuid, macos: profileUuid, tvos: profileUuid },
  });
  manager.on('token.renew-soon', (e) => notifyAdmin(e.tokenId, e.health));
  manager.on('device.unassigned', (e) => console.warn(e.serialNumber, e.reason));
  await manager.start();
  const found = await manager.lookupDevice(serialNumber);
  if (found) await manager.markEnrolled(found.tokenId, serialNumber);
  console.log((await manager.health('acme-hq')).status);
}

export async function profiles(client: AbmClient, enrollUrl: string): Promise<void> {
  const profile = profilePreset('automated', {
    name: 'Company iPads',
    url: enrollUrl,
    department: 'IT',
    skip: 'all',
  });
  const { profile_uuid } = await client.defineProfile(profile);
  const policy = compilePolicy({ osDefaults: { ios: profile_uuid } });
  const resolved = resolveProfile(device, policy);
  console.log(resolved.source, planAssignments(devices, policy).batches.length);
  const {
    serials: imported,
    duplicates,
    invalid,
  } = await parseSerialCsv(createReadStream('serials.csv'));
  console.log(imported.length, duplicates.length, invalid.length);
}

export async function simulator(): Promise<void> {
  const sim = createDepSimulator({ devices: 5000, seed: 1 });
  const baseUrl = await sim.listen();
  const client = new AbmClient({
    token: serverTokenFromJSON(sim.tokens.create()),
    baseUrl,
    userAgent: 'my-mdm/1.0',
  });
  sim.devices.add();
  sim.faults.add({ endpoint: 'syncDevices', status: 503, retryAfter: 5 });
  console.log(await client.getAccount());
  await sim.close();
}
