import type { Command } from 'commander';
import type { DeviceOs } from '../../../profiles/device-os.js';
import type { OsDefaults, ProfilePolicy } from '../../../profiles/policy-types.js';
import type { AdeProfile } from '../../../profiles/profile-schema.js';
import { type CliIo, options, sub } from '../command.js';
import { withContext } from '../context.js';
import { UsageError } from '../exit.js';
import { jsonText } from '../output.js';
import { readJsonFile, readLocal } from '../read-input.js';

const OSES: readonly DeviceOs[] = ['ios', 'ipados', 'macos', 'tvos', 'visionos', 'watchos'];

/** `policy show | set`, `profile define`, `assign`. */
export function registerPolicy(program: Command, io: CliIo): void {
  const policy = sub(program, 'policy', 'Profile policy: device > group > per-OS default', [
    'abmkit policy show acme-hq',
  ]);
  sub(policy, 'show <token-id>', "Print the token's policy (JSON)", [
    'abmkit policy show acme-hq',
  ]).action(async (tokenId: string, _o: unknown, cmd: Command) => {
    const o = options(cmd);
    await withContext(o, io.env, async ({ manager }) => {
      await manager.health(tokenId);
      const record = await manager.getPolicy(tokenId);
      io.stdout.write(
        jsonText(
          o.json
            ? { tokenId, revision: record?.revision ?? null, policy: record?.policy ?? null }
            : (record?.policy ?? {}),
        ),
      );
    });
  });
  sub(
    policy,
    'set <token-id>',
    'Replace the policy from a JSON file (validated; the next sync re-plans)',
    [
      'abmkit policy set acme-hq --file policy.json   # {"osDefaults":{"ios":"<uuid>"},"groups":[…],"devices":{…}}',
    ],
  )
    .requiredOption('--file <policy.json>', 'the policy document')
    .action(async (tokenId: string, _o: unknown, cmd: Command) => {
      const o = options<{ file: string }>(cmd);
      const doc = await readJsonFile(o.file);
      await withContext(o, io.env, async ({ manager }) => {
        const saved = await manager.setPolicy(tokenId, doc as ProfilePolicy);
        if (o.json) io.stdout.write(jsonText({ tokenId, revision: saved.revision }));
        else
          io.stdout.write(
            `Policy of ${tokenId} set (revision ${saved.revision}); the next sync applies it: abmkit sync ${tokenId}\n`,
          );
      });
    });

  const profile = sub(program, 'profile', 'ADE profiles', [
    'abmkit profile define acme-hq --file profile.json',
  ]);
  sub(
    profile,
    'define <token-id>',
    "Define an ADE profile at Apple from a JSON file (Apple's profile keys)",
    ['abmkit profile define acme-hq --file profile.json --default-for ios,ipados'],
  )
    .requiredOption('--file <profile.json>', "the profile (Apple's keys: profile_name, url, …)")
    .option(
      '--default-for <os,...>',
      `also make it the default profile of these OSes (${OSES.join(', ')})`,
    )
    .action(async (tokenId: string, _o: unknown, cmd: Command) => {
      const o = options<{ file: string; defaultFor?: string }>(cmd);
      const oses = (o.defaultFor ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== '');
      const bad = oses.filter((s) => !OSES.includes(s as DeviceOs));
      if (bad.length > 0)
        throw new UsageError(`--default-for: unknown OS ${bad.join(', ')}; use ${OSES.join(', ')}`);
      const doc = await readJsonFile(o.file);
      await withContext(o, io.env, async ({ manager }) => {
        const client = await manager.client(tokenId);
        const { profile_uuid: uuid } = await client.defineProfile(doc as AdeProfile);
        if (oses.length > 0) {
          const current = ((await manager.getPolicy(tokenId))?.policy ?? {}) as ProfilePolicy;
          const osDefaults: OsDefaults = { ...(current.osDefaults ?? {}) };
          for (const os of oses) osDefaults[os as DeviceOs] = uuid;
          await manager.setPolicy(tokenId, { ...current, osDefaults });
        }
        if (o.json) io.stdout.write(jsonText({ tokenId, profileUuid: uuid, defaultFor: oses }));
        else
          io.stdout.write(
            `Profile ${uuid} defined${oses.length > 0 ? `; default for ${oses.join(', ')}` : ''}.\n`,
          );
      });
    });

  sub(
    program,
    'assign <token-id>',
    "Assign the serials of a CSV to the token's MDM server (Apple Business API)",
    ['abmkit assign acme-hq --csv serials.csv'],
  )
    .requiredOption(
      '--csv <file>',
      'a serial-number CSV (header optional; invalid rows refuse the file)',
    )
    .action(async (tokenId: string, _o: unknown, cmd: Command) => {
      const o = options<{ csv: string }>(cmd);
      const { assignDevicesToServer, assignReportText } = await import(
        '../../../admin/assign-devices.js'
      );
      const csv = await readLocal(o.csv);
      await withContext(o, io.env, async ({ manager }) => {
        const result = await assignDevicesToServer(
          manager,
          tokenId,
          csv,
          'store it: abmkit api-account add <account-id> --client-id BUSINESSAPI.… --key-id … --key-file key.pem --customer <customer-id> (see abmkit api-account add --help)',
        );
        io.stdout.write(o.json ? jsonText(result) : assignReportText(result));
      });
    });
}
