import type { DeviceRecord, DeviceStatus } from '../types.js';
import { type Row, str } from './query.js';

/** Columns selected for a device row. @internal */
export const DEVICE_COLS = `token_id, serial, device::text AS device, op_date, op_type, status, removed,
  removed_at, resolved_profile_uuid, unassigned_reason, plan_revision, assigned_profile_uuid,
  assigned_at, enrolled_at, profile_served_at, full_fetch_id, first_seen_at, updated_at`;

/** A device record from its row. @internal */
export function toDevice(r: Row): DeviceRecord {
  return {
    tokenId: String(r['token_id']),
    serialNumber: String(r['serial']),
    device: JSON.parse(String(r['device'])) as DeviceRecord['device'],
    opDate: str(r['op_date']),
    opType: str(r['op_type']),
    status: String(r['status']) as DeviceStatus,
    removed: r['removed'] === true,
    removedAt: str(r['removed_at']),
    resolvedProfileUuid: str(r['resolved_profile_uuid']),
    unassignedReason: str(r['unassigned_reason']),
    planRevision: r['plan_revision'] === null ? null : Number(r['plan_revision']),
    assignedProfileUuid: str(r['assigned_profile_uuid']),
    assignedAt: str(r['assigned_at']),
    enrolledAt: str(r['enrolled_at']),
    profileServedAt: str(r['profile_served_at']),
    fullFetchId: str(r['full_fetch_id']),
    firstSeenAt: String(r['first_seen_at']),
    updatedAt: String(r['updated_at']),
  };
}
