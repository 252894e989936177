import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignDevicesToServer, assignReportText } from '../../../admin/assign-devices.js';
import { readAssignmentCsv } from '../../../admin/assignment-csv.js';
import { runDoctor } from '../../../admin/doctor.js';
import { isAbmError } from '../../../errors/guards.js';
import { AbmManager } from '../../../manager/abm-manager.js';
import type { SyncReport } from '../../../manager/types.js';
import { DEVICE_OS_LABELS, deviceOs } from '../../../profiles/device-os.js';
import { profilePreset } from '../../../profiles/profile-preset.js';
import { FileStorage } from '../../../storage/file/file-storage.js';
import { createDepSimulator, type DepSimulator } from '../../../testing/simulator/index.js';
import type { CliIo } from '../command.js';
import { table } from '../output.js';
import { doctorText } from './doctor.js';

const DAY = 86_400_000;

interface Tenant {
  tokenId: string;
  customerId: string;
  siteId: string;
  name: string;
  devices: number;
  expiresInDays: number;
  sim?: DepSimulator;
}

/** Runs the demo (see `abmkit demo --help`). */
export async function runDemo(io: CliIo, devices: number, keep: boolean): Promise<void> {
  const started = Date.now();
  const out = (line = '') => io.stdout.write(`${line}\n`);
  const step = (text: string) => out(`\n▸ ${text}`);
  const dir = await mkdtemp(join(tmpdir(), 'abmkit-demo-'));
  const tenants: Tenant[] = [
    {
      tokenId: 'acme-hq',
      customerId: 'acme',
      siteId: 'headquarters',
      name: 'Acme HQ',
      devices,
      expiresInDays: 365,
    },
    {
      tokenId: 'acme-branch',
      customerId: 'acme',
      siteId: 'branch-lyon',
      name: 'Acme Lyon',
      devices: Math.ceil(devices / 5),
      expiresInDays: 12,
    },
    {
      tokenId: 'globex-main',
      customerId: 'globex',
      siteId: 'main',
      name: 'Globex',
      devices: Math.ceil(devices / 4),
      expiresInDays: 200,
    },
    {
      tokenId: 'globex-lab',
      customerId: 'globex',
      siteId: 'lab',
      name: 'Globex Lab',
      devices: 25,
      expiresInDays: -3,
    },
  ];
  const storage = new FileStorage({ directory: dir, encryptionKey: randomBytes(32) });
  const manager = new AbmManager({ storage, userAgent: 'abmkit-demo/1.0', telemetry: false });
  try {
    for (const [i, t] of tenants.entries()) {
      t.sim = createDepSimulator({
        devices: t.devices,
        seed: 2026 + i,
        account: {
          server_name: `${t.name} MDM`,
          org_name: t.customerId === 'acme' ? 'Acme Corp' : 'Globex Inc',
        },
      });
    }
    const urls = await Promise.all(tenants.map((t) => t.sim!.listen()));
    out(
      `abmkit demo: ${tenants.length} ADE simulators (${tenants.map((t) => t.devices).join(' + ')} devices), FileStorage in ${dir}`,
    );

    step(
      '1. Token wizard for two customers and their sites: customer & site → key pair → ABM issues a server token → upload',
    );
    for (const [i, t] of tenants.entries()) {
      const pem = await manager.createKeyPair(t.tokenId, {
        customerId: t.customerId,
        siteId: t.siteId,
        name: t.name,
        baseUrl: urls[i],
      });
      const issued = await t.sim!.issueServerToken(pem, {
        expiresAt: new Date(Date.now() + t.expiresInDays * DAY),
      });
      // The expired tenant is stored on purpose (force) so that step 8 can show the warning.
      const h = await manager.uploadServerToken(
        t.tokenId,
        issued.file,
        t.expiresInDays < 0 ? { force: true } : {},
      );
      out(
        `  ${t.tokenId.padEnd(12)} customer ${t.customerId.padEnd(7)} site ${t.siteId.padEnd(13)} ${h.status.padEnd(10)} expires ${h.expiresAt?.slice(0, 10)} (${h.daysLeft} days)`,
      );
    }

    step('2. Profiles: per-OS defaults, a group profile from a CSV, a device-level override');
    const hq = tenants[0]!;
    const client = await manager.client(hq.tokenId);
    const url = 'https://mdm.acme.example/enroll';
    const define = async (name: string) =>
      (await client.defineProfile(profilePreset('automated', { name, url }))).profile_uuid;
    const mobile = await define('Acme iOS');
    const mac = await define('Acme Mac');
    const loaner = await define('Acme Loaner');
    const exec = await define('Executive');
    const serials = hq.sim!.devices.serials(40);
    // The loaner pool: devices of the organisation on no MDM server yet (Apple Business API).
    hq.sim!.businessApi.activityLatencyMs = 0;
    const pool = hq.sim!.businessApi.addUnassignedDevices(20);
    const loanerSerials = Array.from({ length: 20 }, (_, i) => pool.serialAt(i));
    const csvPath = join(dir, 'loaners.csv');
    const loanerCsv = `Serial Number,Note\n${loanerSerials.map((s) => `${s},loaner pool`).join('\n')}\n`;
    await writeFile(csvPath, `${loanerCsv}NOT-A-SERIAL!,typo\n`);
    try {
      await readAssignmentCsv(await readFile(csvPath));
    } catch (error) {
      out(
        `  loaners.csv refused as a whole: ${isAbmError(error) ? `${error.code}: ${error.message}` : String(error)}`,
      );
    }
    await writeFile(csvPath, loanerCsv);
    const loaners = await readAssignmentCsv(await readFile(csvPath));
    await manager.setPolicy(hq.tokenId, {
      osDefaults: { ios: mobile, ipados: mobile, macos: mac },
      groups: [
        {
          id: 'loaners',
          name: 'Loaner pool (from loaners.csv)',
          profileUuid: loaner,
          serials: loaners,
          priority: 10,
        },
      ],
      devices: { [serials[0]!]: exec },
    });
    out(`  iOS/iPadOS default → ${mobile}`);
    out(`  macOS default      → ${mac}`);
    out(`  group "loaners"    → ${loaner} (${loaners.length} serials from the fixed loaners.csv)`);
    out(`  ${serials[0]}       → ${exec} (device-level override)`);
    out('  tvOS / visionOS: no default on purpose, so those devices stay Unassigned with a reason');
    for (const t of tenants.slice(1)) {
      if (t.expiresInDays < 0) continue; // expired: Apple refuses every call, see step 8
      const c = await manager.client(t.tokenId);
      const p = (
        await c.defineProfile(profilePreset('automated', { name: `${t.name} default`, url }))
      ).profile_uuid;
      await manager.setPolicy(t.tokenId, { osDefaults: { ios: p, ipados: p, macos: p, tvos: p } });
    }
    step('3. Sync every token: full fetch, then automatic profile assignment');
    const progress = manager.on('sync.progress', (e) => {
      if (io.stdout.isTTY)
        io.stdout.write(
          `\r  ${e.tokenId}: page ${e.pages}, ${e.devices} devices   ${e.moreToFollow ? '' : '\n'}`,
        );
    });
    for (const t of tenants) printReport(out, await manager.syncNow(t.tokenId));

    step(
      `4. abmkit assign ${hq.tokenId} --csv loaners.csv: the loaner pool onto the MDM server through the Apple Business API`,
    );
    const account = hq.sim!.businessApi.createAccount();
    await manager.saveApiAccount('acme-api', {
      ...account,
      customerId: hq.customerId,
      name: 'Acme API account',
      baseUrl: urls[0]!,
      tokenUrl: `${urls[0]!}/auth/oauth2/token`,
    });
    out(`  API account acme-api stored for customer ${hq.customerId} (${account.clientId})`);
    const assigned = await assignDevicesToServer(
      manager,
      hq.tokenId,
      await readFile(csvPath),
      'abmkit api-account add',
    );
    io.stdout.write(assignReportText(assigned).trimEnd().replace(/^/gm, '  ').concat('\n'));

    step(`5. Meanwhile in ABM: devices added, released and modified at ${hq.tokenId}`);
    for (let i = 0; i < 40; i++) hq.sim!.devices.add(i % 4 === 0 ? { platform: 'Mac' } : {});
    const loanerSet = new Set(loanerSerials);
    const live = hq.sim!.devices.serials(400).filter((s) => !loanerSet.has(s));
    for (const s of live.slice(300, 315)) hq.sim!.devices.remove(s);
    for (const s of live.slice(320, 330)) hq.sim!.devices.modify(s, { asset_tag: 'MOVED-2F' });
    hq.sim!.devices.markPushed(
      live.slice(100, 300).filter((s) => hq.sim!.devices.get(s)?.profile_uuid),
    );
    printReport(out, await manager.syncNow(hq.tokenId));
    progress();
    let withLoanerProfile = 0;
    for (const serial of loanerSerials) {
      const found = await manager.lookupDevice(serial);
      if (found?.profileUuid === loaner) withLoanerProfile++;
    }
    out(
      `  loaners.csv: ${withLoanerProfile} of ${loanerSerials.length} arrived as "added" and got the group profile ${loaner}`,
    );

    step('6. A device enrolls: route it to its tenant');
    const enrolling = live[150]!;
    const where = await manager.lookupDevice(enrolling);
    out(
      `  ${enrolling} → token ${where?.tokenId}, customer ${where?.customerId}, site ${where?.siteId}, profile ${where?.profileUuid}`,
    );
    await manager.markEnrolled(hq.tokenId, enrolling);

    step('7. Devices per token and OS');
    await printSummary(
      out,
      manager,
      tenants.map((t) => t.tokenId),
    );
    const unassigned = await manager.listDevices(hq.tokenId, { status: 'unassigned', limit: 2 });
    for (const d of unassigned.items)
      out(`  Why Unassigned? ${d.serialNumber}: ${d.unassignedReason}`);

    step('8. Token health: renew-soon and expired warnings');
    for (const t of await manager.listTokens()) {
      const h = await manager.health(t.tokenId);
      const mark = h.status === 'valid' ? '✔' : h.status === 'renew-soon' ? '!' : '✖';
      out(
        `  ${mark} ${t.tokenId.padEnd(12)} ${h.status.padEnd(10)} ${h.daysLeft} days · ${h.account?.serverName ?? '-'} · ${h.advice}`,
      );
    }

    step('9. abmkit doctor: the troubleshooting table, walked');
    const report = await runDoctor(manager, { probe: false });
    io.stdout.write(
      `${doctorText(report.findings.filter((f) => f.severity !== 'ok'))
        .trimEnd()
        .replace(/^/gm, '  ')}\n`,
    );
    out(
      `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.${keep ? ` Data kept in ${dir}` : ''}`,
    );
    if (keep)
      out(`  (its encryption key was random and is gone; this folder is for looking at the files)`);
  } finally {
    await manager.stop();
    await storage.close();
    await Promise.all(tenants.map((t) => t.sim?.close()));
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

function printReport(out: (line?: string) => void, r: SyncReport): void {
  out(
    `  ${r.tokenId.padEnd(12)} ${r.status} in ${r.durationMs} ms: ${r.pages} page${r.pages === 1 ? '' : 's'}; devices +${r.devices.added} ~${r.devices.modified} -${r.devices.removed}; ` +
      `assigned ${r.profiles.assigned}, throttled ${r.profiles.throttled}; unassigned ${r.unassigned}`,
  );
}

async function printSummary(
  out: (line?: string) => void,
  m: AbmManager,
  tokenIds: string[],
): Promise<void> {
  const rows: string[][] = [];
  for (const tokenId of tokenIds) {
    const tally = new Map<string, { devices: number; assigned: number; unassigned: number }>();
    let cursor: string | undefined;
    do {
      const page = await m.listDevices(tokenId, {
        status: ['unassigned', 'assigned', 'pushed', 'profile-served', 'enrolled'],
        limit: 1000,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const d of page.items) {
        const os = deviceOs(d.device);
        const label = os === undefined ? 'unknown' : DEVICE_OS_LABELS[os];
        const row = tally.get(label) ?? { devices: 0, assigned: 0, unassigned: 0 };
        row.devices += 1;
        if (d.status === 'unassigned') row.unassigned += 1;
        else row.assigned += 1;
        tally.set(label, row);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    for (const [os, r] of [...tally].sort((a, b) => b[1].devices - a[1].devices)) {
      rows.push([tokenId, os, String(r.devices), String(r.assigned), String(r.unassigned)]);
    }
  }
  out(
    table(['TOKEN', 'OS', 'DEVICES', 'ASSIGNED', 'UNASSIGNED'], rows)
      .replace(/^/gm, '  ')
      .trimEnd(),
  );
}
