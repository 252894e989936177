import type { Command } from 'commander';
import { DEVICE_STATUS_FILTERS, type DeviceView, deviceView } from '../../../admin/device-view.js';
import type { DeviceStatus } from '../../../storage/types.js';
import { type CliIo, options, sub } from '../command.js';
import { withContext } from '../context.js';
import { CliFailure, UsageError } from '../exit.js';
import { csv, jsonText, table } from '../output.js';

const STATUSES = DEVICE_STATUS_FILTERS;
const COLUMNS: (keyof DeviceView)[] = [
  'serialNumber',
  'model',
  'os',
  'status',
  'profileUuid',
  'unassignedReason',
  'description',
  'assetTag',
  'opDate',
];

/** `devices <token-id>` and `lookup <serial>`. */
export function registerDevices(program: Command, io: CliIo): void {
  sub(
    program,
    'devices <token-id>',
    "List a token's devices with status and profile (Unassigned with reasons)",
    ['abmkit devices acme-hq --status unassigned', 'abmkit devices acme-hq --csv > devices.csv'],
  )
    .option('--status <status>', `only ${STATUSES.join(' | ')}`)
    .option('--os <label>', 'only this OS (iOS, iPadOS, macOS, tvOS, visionOS, watchOS)')
    .option(
      '--search <text>',
      'only devices whose serial, model, description or asset tag contains it',
    )
    .option('--csv', 'print CSV')
    .action(async (tokenId: string, _o: unknown, cmd: Command) => {
      const o = options<{ status?: string; os?: string; search?: string; csv?: boolean }>(cmd);
      if (o.status !== undefined && !STATUSES.includes(o.status as DeviceStatus)) {
        throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
      }
      if (o.csv && o.json) throw new UsageError('choose --json or --csv, not both');
      await withContext(o, io.env, async ({ manager }) => {
        await manager.health(tokenId);
        const rows: DeviceView[] = [];
        const os = o.os?.toLowerCase();
        const q = o.search?.toLowerCase();
        let cursor: string | undefined;
        do {
          const page = await manager.listDevices(tokenId, {
            status:
              (o.status as DeviceStatus | undefined) ?? STATUSES.filter((s) => s !== 'removed'),
            limit: 1000,
            ...(cursor === undefined ? {} : { cursor }),
          });
          for (const record of page.items) {
            const v = deviceView(record);
            if (os !== undefined && v.os?.toLowerCase() !== os) continue;
            if (
              q !== undefined &&
              ![v.serialNumber, v.model, v.description, v.assetTag].some((x) =>
                x?.toLowerCase().includes(q),
              )
            )
              continue;
            rows.push(v);
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        if (o.json) io.stdout.write(jsonText(rows));
        else if (o.csv)
          io.stdout.write(
            csv(
              COLUMNS,
              rows.map((r) => COLUMNS.map((c) => r[c])),
            ),
          );
        else if (rows.length === 0) io.stdout.write('No device matches.\n');
        else {
          const unassigned = o.status === 'unassigned';
          io.stdout.write(
            table(
              unassigned
                ? ['SERIAL', 'MODEL', 'OS', 'REASON']
                : ['SERIAL', 'MODEL', 'OS', 'STATUS', 'PROFILE'],
              rows.map((r) =>
                unassigned
                  ? [
                      r.serialNumber,
                      r.model ?? '-',
                      r.os ?? '-',
                      r.unassignedReason ?? 'not planned yet',
                    ]
                  : [r.serialNumber, r.model ?? '-', r.os ?? '-', r.status, r.profileUuid ?? '-'],
              ),
            ),
          );
          io.stdout.write(`${rows.length} device${rows.length === 1 ? '' : 's'}\n`);
        }
      });
    });

  sub(
    program,
    'lookup <serial>',
    'Find which token, customer and site a serial belongs to (enrollment routing)',
    ['abmkit lookup C02XL0GHJGH5'],
  ).action(async (serial: string, _o: unknown, cmd: Command) => {
    const o = options(cmd);
    await withContext(o, io.env, async ({ manager }) => {
      const found = await manager.lookupDevice(serial);
      if (found === null) {
        throw new CliFailure(
          `no token knows serial ${serial.trim().toUpperCase()}; run abmkit sync --all first, or check the serial`,
          'DEVICE_NOT_FOUND',
        );
      }
      if (o.json) io.stdout.write(jsonText(found));
      else {
        io.stdout.write(
          `${found.serialNumber}: token ${found.tokenId}, customer ${found.customerId ?? '-'}, site ${found.siteId ?? '-'}, ${found.status}, profile ${found.profileUuid ?? '-'}${found.unassignedReason === null ? '' : ` (${found.unassignedReason})`}\n`,
        );
      }
    });
  });
}
