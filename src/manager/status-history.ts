import type { DeviceRecord, DeviceStatus } from '../storage/types.js';

/** One step of a device's status history. */
export interface DeviceStatusChange {
  /** The status reached. */
  status: DeviceStatus;
  /** When (ISO), as far as known: `null` when Apple's record gives no time. */
  at: string | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * A device's status history, derived from its record: unassigned (first seen), assigned (abmkit
 * or Apple assigned a profile), pushed (Apple's `profile_push_time`), profile served (the
 * enrollment endpoint), enrolled (`markEnrolled`), removed. In lifecycle order. @internal
 */
export function deviceStatusHistory(record: DeviceRecord): DeviceStatusChange[] {
  const d = record.device as Record<string, unknown>;
  const ps = str(d['profile_status']);
  const steps: DeviceStatusChange[] = [{ status: 'unassigned', at: record.firstSeenAt }];
  const pushedAt = str(d['profile_push_time']);
  const served = record.profileServedAt ?? null;
  const assigned =
    record.assignedProfileUuid !== null ||
    ps === 'assigned' ||
    ps === 'pushed' ||
    pushedAt !== null ||
    served !== null;
  if (assigned)
    steps.push({ status: 'assigned', at: record.assignedAt ?? str(d['profile_assign_time']) });
  if (ps === 'pushed' || pushedAt !== null) steps.push({ status: 'pushed', at: pushedAt });
  if (served !== null) steps.push({ status: 'profile-served', at: served });
  if (record.enrolledAt !== null) steps.push({ status: 'enrolled', at: record.enrolledAt });
  if (record.removed) steps.push({ status: 'removed', at: record.removedAt });
  return steps;
}
