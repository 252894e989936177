import type {
  AssignmentRetryRecord,
  CursorRecord,
  DeviceRecord,
  DeviceStatus,
  SyncRunRecord,
} from '../types.js';
import { iso } from './migrations.js';

/** Columns selected for a device row. @internal */
export const DEVICE_COLS = `token_id, serial, device::text AS device, op_date, op_type, status, removed,
  removed_at, resolved_profile_uuid, unassigned_reason, plan_revision, assigned_profile_uuid,
  assigned_at, enrolled_at, profile_served_at, full_fetch_id, first_seen_at, updated_at`;

/** Columns selected for a cursor row. @internal */
export const CURSOR_COLS =
  'token_id, cursor, phase, full_fetch_id, last_full_fetch_at, fetched_until, updated_at';

/** Columns selected for a retry row. @internal */
export const RETRY_COLS =
  'token_id, serial, profile_uuid, status, attempts, next_attempt_at, last_error, updated_at';

/** Columns selected for a sync-run row. @internal */
export const RUN_COLS =
  'token_id, run_id, owner, status, started_at, finished_at, report::text AS report, error::text AS error';

/** Columns selected for a lease row. @internal */
export const LEASE_COLS = `token_id, owner, generation, ${iso('expires_at')} AS expires_at`;

type Row = Record<string, unknown>;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** @internal */
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

/** @internal */
export function toCursor(r: Row): CursorRecord {
  return {
    tokenId: String(r['token_id']),
    cursor: str(r['cursor']),
    phase: String(r['phase']) as CursorRecord['phase'],
    fullFetchId: str(r['full_fetch_id']),
    lastFullFetchAt: str(r['last_full_fetch_at']),
    fetchedUntil: str(r['fetched_until']),
    updatedAt: String(r['updated_at']),
  };
}

/** @internal */
export function toRetry(r: Row): AssignmentRetryRecord {
  return {
    tokenId: String(r['token_id']),
    serialNumber: String(r['serial']),
    profileUuid: String(r['profile_uuid']),
    status: String(r['status']) as AssignmentRetryRecord['status'],
    attempts: Number(r['attempts']),
    nextAttemptAt: str(r['next_attempt_at']),
    lastError: str(r['last_error']),
    updatedAt: String(r['updated_at']),
  };
}

/** @internal */
export function toRun(r: Row): SyncRunRecord {
  return {
    runId: String(r['run_id']),
    tokenId: String(r['token_id']),
    owner: str(r['owner']),
    status: String(r['status']) as SyncRunRecord['status'],
    startedAt: String(r['started_at']),
    finishedAt: str(r['finished_at']),
    report:
      r['report'] === null ? null : (JSON.parse(String(r['report'])) as Record<string, unknown>),
    error:
      r['error'] === null
        ? null
        : (JSON.parse(String(r['error'])) as { code: string; message: string }),
  };
}
