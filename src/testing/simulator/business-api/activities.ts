/**
 * Org-device activities: created `IN_PROGRESS`, completed on the simulator clock.
 *
 * @internal
 * @module
 */
import type { ActivityRecord, BusinessState } from './state.js';

const TYPES = new Set([
  'ASSIGN_DEVICES',
  'UNASSIGN_DEVICES',
  'RELEASE_DEVICES',
  'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE',
  'UPDATE_MDM_MIGRATION_DEADLINE',
  'CANCEL_MDM_MIGRATION',
]);

/** @internal Most devices one activity accepts in the simulator. */
export const SIM_MAX_ACTIVITY_DEVICES = 1000;

/** @internal */
export function isActivityType(value: unknown): value is string {
  return typeof value === 'string' && TYPES.has(value);
}

const csvCell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function complete(biz: BusinessState, a: ActivityRecord, now: number): void {
  const lines = ['serialNumber,status,reason'];
  let failed = 0;
  for (const serial of a.serials) {
    const forced = biz.failSerials.get(serial);
    const where = biz.locate(serial);
    let reason: string | undefined;
    if (forced !== undefined) reason = forced;
    else if (where === undefined) reason = 'Device not found in the organization';
    else if (
      a.activityType === 'UNASSIGN_DEVICES' &&
      a.serverId !== undefined &&
      where !== a.serverId
    ) {
      reason = 'Device is not assigned to this device management service';
    }
    if (reason !== undefined) {
      failed++;
      lines.push(`${serial},FAILED,${csvCell(reason)}`);
      continue;
    }
    switch (a.activityType) {
      case 'ASSIGN_DEVICES':
      case 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE':
        biz.move(serial, a.serverId ?? null, now);
        break;
      case 'UNASSIGN_DEVICES':
        biz.move(serial, null, now);
        break;
      case 'RELEASE_DEVICES':
        biz.release(serial, now);
        break;
      default:
        break;
    }
    lines.push(`${serial},SUCCESS,`);
  }
  a.log = `${lines.join('\n')}\n`;
  a.completedAt = now;
  if (failed === 0) {
    a.status = 'COMPLETED';
    a.subStatus = 'COMPLETED_WITH_SUCCESS';
  } else if (failed === a.serials.length) {
    a.status = 'FAILED';
    a.subStatus = 'FAILED';
  } else {
    a.status = 'COMPLETED';
    a.subStatus = 'COMPLETED_WITH_ERRORS';
  }
}

/** @internal Completes every activity whose time has come, oldest first. */
export function settleActivities(biz: BusinessState, now: number): void {
  for (const a of biz.activities.values()) {
    if (a.status === 'IN_PROGRESS' && a.completesAt <= now) complete(biz, a, now);
  }
}
