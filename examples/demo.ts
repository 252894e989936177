/**
 * abmkit end to end, out of the box: `npm run demo`.
 *
 * Runs the ADE simulator from `abmkit/testing` on loopback HTTP and an `AbmManager` on
 * `FileStorage` in a temporary directory, then walks through what an MDM server does with
 * Apple Business Manager: key pair → server token → profiles → sync + automatic assignment →
 * changes in ABM → incremental sync → where every device stands. Needs no Apple account.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbmManager,
  DEVICE_OS_LABELS,
  type DeviceRecord,
  deviceOs,
  FileStorage,
  profilePreset,
  type SyncReport,
} from 'abmkit';
import { createDepSimulator } from 'abmkit/testing';

const DEVICES = 3000;
const TOKEN = 'acme-hq';
const started = Date.now();
const out = (line = '') => process.stdout.write(`${line}\n`);
const step = (text: string) => out(`\n▸ ${text}`);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'abmkit-demo-'));
  const sim = createDepSimulator({ devices: DEVICES, seed: 2026 });
  const baseUrl = await sim.listen();
  const storage = new FileStorage({ directory: dir, encryptionKey: randomBytes(32) });
  const manager = new AbmManager({ storage, baseUrl, userAgent: 'abmkit-demo/1.0' });
  try {
    out(`abmkit demo: ADE simulator at ${baseUrl} (${DEVICES} devices), FileStorage in ${dir}`);

    step('1. Generate a key pair for the token exchange');
    const certificatePem = await manager.createKeyPair(TOKEN, {
      customerId: 'acme',
      siteId: 'headquarters',
      name: 'Acme HQ',
    });
    out(
      `  certificate for ABM: ${certificatePem.split('\n')[0]} … (${certificatePem.length} bytes)`,
    );

    step('2. ABM (the simulator) issues a server token for it; upload it');
    const issued = await sim.issueServerToken(certificatePem);
    out(`  downloaded ${issued.filename}`);
    const uploaded = await manager.uploadServerToken(TOKEN, issued.file);
    out(
      `  token ${uploaded.status}, expires ${uploaded.expiresAt?.slice(0, 10)} (${uploaded.daysLeft} days)`,
    );

    step(
      '3. Define ADE profiles: an OS default for iPhone/iPad and for Mac, plus a device-level override',
    );
    const client = await manager.client(TOKEN);
    const url = 'https://mdm.acme.example/enroll';
    const mobile = (
      await client.defineProfile(profilePreset('automated', { name: 'Acme iOS', url }))
    ).profile_uuid;
    const mac = (await client.defineProfile(profilePreset('automated', { name: 'Acme Mac', url })))
      .profile_uuid;
    const exec = (
      await client.defineProfile(profilePreset('automated', { name: 'Executive', url }))
    ).profile_uuid;
    const [ceoPhone] = sim.devices.serials(1);
    await manager.setPolicy(TOKEN, {
      osDefaults: { ios: mobile, ipados: mobile, macos: mac },
      devices: { [ceoPhone!]: exec },
    });
    out(`  iOS/iPadOS → ${mobile}`);
    out(`  macOS      → ${mac}`);
    out(`  ${ceoPhone} → ${exec} (device-level override)`);

    const progress = manager.on('sync.progress', (e) => {
      // `devices` counts distinct devices (a device reported twice in one run counts once).
      const of = e.expectedTotal === null ? '' : ` of ~${e.expectedTotal}`;
      const line = `  ${e.phase === 'full' ? 'fetching' : 'syncing'}: page ${e.pages}, ${e.devices}${of} devices`;
      if (process.stdout.isTTY) process.stdout.write(`\r${line}${e.moreToFollow ? '' : '\n'}`);
      else if (!e.moreToFollow) out(line);
    });

    step('4. First sync: full fetch, then automatic profile assignment');
    printReport(await manager.syncNow(TOKEN));
    out('  (Apple reports each assignment back as a `modified` change, hence the second pass)');

    step(
      '5. Meanwhile in ABM: 40 devices added, 15 released, 10 modified, 200 fetched their profile',
    );
    for (let i = 0; i < 40; i++) sim.devices.add(i % 4 === 0 ? { platform: 'Mac' } : {});
    const live = sim.devices.serials(400);
    for (const serial of live.slice(300, 315)) sim.devices.remove(serial);
    for (const serial of live.slice(320, 330))
      sim.devices.modify(serial, { asset_tag: 'MOVED-2F' });
    sim.devices.markPushed(live.slice(100, 300).filter((s) => sim.devices.get(s)?.profile_uuid));

    step('6. Second sync: changes only, new devices assigned');
    printReport(await manager.syncNow(TOKEN));
    progress();

    step('7. A device enrolls: route it to its tenant');
    const enrolling = live[150]!;
    const where = await manager.lookupDevice(enrolling);
    out(
      `  ${enrolling} → customer ${where?.customerId}, site ${where?.siteId}, profile ${where?.profileUuid}`,
    );
    await manager.markEnrolled(TOKEN, enrolling);
    out(`  status now: ${(await manager.lookupDevice(enrolling))?.status}`);

    step('Summary');
    await printSummary(manager);
    const health = await manager.health(TOKEN);
    out(
      `\nToken ${TOKEN}: ${health.status} · expires ${health.expiresAt?.slice(0, 10)} (${health.daysLeft} days) · ` +
        `server "${health.account?.serverName}" of ${health.account?.orgName} · last sync ${health.lastSuccessfulSyncAt}`,
    );
    const unassigned = await manager.listDevices(TOKEN, { status: 'unassigned', limit: 1 });
    const first = unassigned.items[0];
    if (first) out(`Why Unassigned? e.g. ${first.serialNumber}: ${first.unassignedReason}`);
    out(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await manager.stop();
    await storage.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function printReport(r: SyncReport): void {
  out(
    `  ${r.status} in ${r.durationMs} ms: ${r.pages} page${r.pages === 1 ? '' : 's'}; devices +${r.devices.added} ~${r.devices.modified} -${r.devices.removed}; ` +
      `profiles assigned ${r.profiles.assigned}, failed ${r.profiles.failed}, throttled ${r.profiles.throttled}; unassigned ${r.unassigned}`,
  );
}

async function printSummary(m: AbmManager): Promise<void> {
  const rows = new Map<
    string,
    { devices: number; assigned: number; unassigned: number; removed: number }
  >();
  let cursor: string | undefined;
  do {
    const page = await m.listDevices(TOKEN, {
      status: ['unassigned', 'assigned', 'pushed', 'enrolled', 'removed'],
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const d of page.items) tally(rows, d);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  const header = ['OS', 'devices', 'assigned', 'unassigned', 'removed'];
  const body = [...rows.entries()]
    .sort((a, b) => b[1].devices - a[1].devices)
    .map(([os, r]) => [os, r.devices, r.assigned, r.unassigned, r.removed].map(String));
  const total = [
    'total',
    ...[0, 1, 2, 3].map((i) => String(body.reduce((s, r) => s + Number(r[i + 1]), 0))),
  ];
  const table = [header, ...body, total];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  out(line(header));
  out(`  ${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const r of body) out(line(r));
  out(`  ${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  out(line(total));
}

function tally(
  rows: Map<string, { devices: number; assigned: number; unassigned: number; removed: number }>,
  d: DeviceRecord,
): void {
  const os = deviceOs(d.device);
  const label = os === undefined ? 'unknown' : DEVICE_OS_LABELS[os];
  const row = rows.get(label) ?? { devices: 0, assigned: 0, unassigned: 0, removed: 0 };
  if (d.status === 'removed') row.removed += 1;
  else {
    row.devices += 1;
    if (d.status === 'unassigned') row.unassigned += 1;
    else row.assigned += 1;
  }
  rows.set(label, row);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
