import { resolveProfile } from '../profiles/resolve-profile.js';
import type { AdeDevice } from '../schemas/device.js';
import { collapsePage, upsertDevice } from '../domain/devices.js';
import type { DeviceRecord, PagePlanEntry } from '../storage/types.js';
import { sameProfile } from './plan-devices.js';
import type { RunState } from './run-state.js';

/** What a page needs planned, computed before the page is applied. @internal */
export interface PagePlanInput {
  /**
   * The records the page's entries will produce (stored record + Apple's new one), for devices
   * that may need an assignment, an `device.unassigned` event or a retry-queue change.
   */
  records: DeviceRecord[];
  /**
   * Plans of the other entries: Apple already shows the profile the policy resolves (e.g. the
   * echo of an assignment), so there is nothing to do but keep the plan fields current.
   */
  quiet: PagePlanEntry[];
}

/**
 * Works out, before a page is applied, what planning it needs, reading as little as possible:
 * - deletions are not planned (their retries are dropped after the apply);
 * - entries whose Apple record already shows the profile the policy resolves, and that have no
 *   retry-queue entry, need no assignment: their plan goes with the page without a read;
 * - for the others the stored records are read (none exist during a first full fetch) and
 *   merged with the page's entries as `applyPage` will (the `op_date` rule included: entries the
 *   store will skip are not planned).
 * The plans and assignment results are then written by the page's own `applyPage`.
 * @internal
 */
export async function planPage(
  run: RunState,
  devices: readonly AdeDevice[],
): Promise<PagePlanInput> {
  const out: PagePlanInput = { records: [], quiet: [] };
  const compiled = run.policy.compiled;
  const revision = run.policy.revision;
  const toRead: AdeDevice[] = [];
  for (const device of collapsePage(devices)) {
    if (device.op_type === 'deleted') continue;
    const serial = device.serial_number;
    if (compiled !== null && device.profile_status !== 'removed' && !run.retries.has(serial)) {
      const target = resolveProfile(device, compiled).profileUuid;
      if (target !== null && sameProfile(device.profile_uuid, target)) {
        out.quiet.push({
          serialNumber: serial,
          resolvedProfileUuid: target,
          unassignedReason: null,
          planRevision: revision,
        });
        continue;
      }
    }
    toRead.push(device);
  }
  if (toRead.length === 0) return out;
  const stored = new Map<string, DeviceRecord>();
  const read = await run.ctx.storage.getDevices(
    run.tokenId,
    toRead.map((d) => d.serial_number),
  );
  for (const r of read) stored.set(r.serialNumber, r);
  const ctx = { tokenId: run.tokenId, nowIso: '', fullFetchId: undefined };
  for (const device of toRead) {
    const { next } = upsertDevice(stored.get(device.serial_number), device, ctx);
    if (next !== null) out.records.push(next);
  }
  return out;
}
