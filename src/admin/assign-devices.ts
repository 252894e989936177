import type { AssignToServerReport } from '../api/assign-to-server.js';
import { isAbmError } from '../errors/guards.js';
import { NotFoundError } from '../errors/index.js';
import type { AbmManager } from '../manager/abm-manager.js';
import { readAssignmentCsv } from './assignment-csv.js';

/** What {@link assignDevicesToServer} answers: the Business API's assignment report. */
export interface AssignDevicesResult extends AssignToServerReport {
  /** The token whose MDM server received the devices. */
  tokenId: string;
  /** Distinct valid serials in the CSV (sent for assignment or found already there). */
  requested: number;
}

/**
 * Assigns the serials of a CSV to the token's MDM server through the Apple Business API — the one
 * seam the `abmkit assign` command, the admin CSV-assignment route and the demo call. The CSV is
 * refused as a whole (`CSV_INVALID`) when any row is invalid; otherwise it goes to
 * `manager.assignDevices(tokenId, csv)`, whose report (assigned, already on the server, moved,
 * not found, failed, duplicates) is returned. The next sync receives the new devices as `added`
 * and assigns their ADE profile as usual.
 *
 * @param howToAddAccount - the advice, in the caller's terms (a CLI command, an admin route),
 *   given when no Business API account is stored for the token's customer.
 * @throws `NotFoundError` (`NOT_FOUND`) when no API account serves the token's customer.
 * @internal
 */
export async function assignDevicesToServer(
  manager: AbmManager,
  tokenId: string,
  csv: string | Uint8Array,
  howToAddAccount: string,
): Promise<AssignDevicesResult> {
  const serials = await readAssignmentCsv(csv);
  const health = await manager.health(tokenId);
  let report: AssignToServerReport;
  try {
    report = await manager.assignDevices(tokenId, csv);
  } catch (error) {
    if (isAbmError(error, 'NOT_FOUND') && /No Business API account/.test(error.message)) {
      throw new NotFoundError(
        `No Apple Business API account is stored for customer "${health.customerId ?? '(none)'}" of token "${tokenId}", so nothing was assigned. Create an API account in Apple Business Manager (Preferences > API), then ${howToAddAccount}.`,
      );
    }
    throw error;
  }
  return { tokenId, requested: serials.length, ...report };
}

/** The report as a few human lines (CLI and demo). @internal */
export function assignReportText(r: AssignDevicesResult): string {
  const moved = r.moved.length > 0 ? ` (${r.moved.length} moved from another server)` : '';
  const lines = [
    `Assigned ${r.assigned.length} of ${r.requested} device(s) to the MDM server of ${r.tokenId}${moved}; already there ${r.alreadyOnServer.length}, not found ${r.notFound.length}, failed ${r.failed.length}, invalid ${r.invalid.length}, duplicates ${r.duplicates}.`,
  ];
  if (r.notFound.length > 0)
    lines.push(
      `  not in the organisation: ${r.notFound.slice(0, 10).join(', ')}${r.notFound.length > 10 ? ', …' : ''}`,
    );
  for (const f of r.failed.slice(0, 10)) lines.push(`  failed ${f.serialNumber}: ${f.reason}`);
  if (r.assigned.length > 0)
    lines.push(`  They arrive as "added" with the next sync: abmkit sync ${r.tokenId}`);
  return `${lines.join('\n')}\n`;
}
