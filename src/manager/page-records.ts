import { resolveProfile } from '../profiles/resolve-profile.js';
import type { AdeDevice } from '../schemas/device.js';
import type { ApplyPageResult, DeviceRecord } from '../storage/types.js';
import { sameProfile } from './plan-devices.js';
import type { RunState } from './run-state.js';

/**
 * The records to plan after a page was applied, reading as little as possible:
 * - devices new to the token carry no abmkit state yet, so their record is built from the page;
 * - known devices whose Apple record already shows the profile the policy resolves need no
 *   assignment and are skipped (their plan fields are refreshed by the next run's catch-up if
 *   the policy changed);
 * - the other known devices are read from the store.
 * @internal
 */
export async function recordsToPlan(
  run: RunState,
  devices: readonly AdeDevice[],
  result: Pick<ApplyPageResult, 'added' | 'modified'>,
): Promise<DeviceRecord[]> {
  if (result.added.length === 0 && result.modified.length === 0) return [];
  const latest = new Map<string, AdeDevice>();
  for (const d of devices) latest.set(d.serial_number, d);
  const out: DeviceRecord[] = [];
  for (const serial of result.added) {
    const device = latest.get(serial);
    if (device !== undefined) out.push(fresh(run.tokenId, device));
  }
  const compiled = run.policy.compiled;
  const toRead: string[] = [];
  for (const serial of result.modified) {
    const device = latest.get(serial);
    if (device !== undefined && compiled !== null && device.profile_status !== 'removed') {
      const target = resolveProfile(device, compiled).profileUuid;
      if (target !== null && sameProfile(device.profile_uuid, target)) continue;
    }
    toRead.push(serial);
  }
  if (toRead.length > 0) out.push(...(await run.ctx.storage.getDevices(run.tokenId, toRead)));
  return out;
}

function fresh(tokenId: string, device: AdeDevice): DeviceRecord {
  return {
    tokenId,
    serialNumber: device.serial_number,
    device,
    opDate: null,
    opType: null,
    status: 'unassigned',
    removed: false,
    removedAt: null,
    resolvedProfileUuid: null,
    unassignedReason: null,
    planRevision: null,
    assignedProfileUuid: null,
    assignedAt: null,
    enrolledAt: null,
    fullFetchId: null,
    firstSeenAt: '',
    updatedAt: '',
  };
}
