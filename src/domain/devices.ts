import { InvalidArgumentError } from '../errors/index.js';
import type { AdeDevice } from '../schemas/device.js';
import type { DeviceRecord, DeviceStatus, PagePlanEntry } from '../storage/types.js';
import { checkSerial } from './validate.js';

/** Whether `value` holds a NUL character in a string or a key, looking 4 levels down. */
function hasNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 4) return false;
  const record = value as Record<string, unknown>;
  // for…in with an own-key test: Object.entries' keys, without an array per object
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (key.includes('\u0000') || hasNul(record[key], depth + 1)) return true;
  }
  return false;
}

/** Whether `value` holds a NUL character in a string or a key, at any depth this module checks. @internal */
export function containsNul(value: unknown): boolean {
  return hasNul(value, 1);
}

/**
 * Refuses a device with a NUL character in a string field (PostgreSQL cannot store one; every
 * adapter refuses it alike, as a bad argument rather than a storage failure). @internal
 */
export function checkNoNul(device: object, serial: string): void {
  if (hasNul(device, 0)) {
    throw new InvalidArgumentError(
      `Device ${JSON.stringify(serial.slice(0, 64))} has a NUL character in a field; remove it before storing the record.`,
    );
  }
}

/** Every device status, in a fixed order. @internal */
export const DEVICE_STATUSES: readonly DeviceStatus[] = [
  'unassigned',
  'assigned',
  'pushed',
  'profile-served',
  'enrolled',
  'removed',
];

/** `op_date` as epoch ms, or `null` when absent/unparseable. @internal */
export function opDateMs(device: AdeDevice): number | null {
  const raw = device.op_date;
  if (typeof raw !== 'string' || raw.length === 0) return null;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Collapses a page to one entry per serial: a later entry replaces an earlier one unless both
 * carry an `op_date` and the later one is older. Keeps first-appearance order. @internal
 */
export function collapsePage(devices: readonly AdeDevice[]): AdeDevice[] {
  const bySerial = new Map<string, AdeDevice>();
  for (const device of devices) {
    const serial = checkSerial(device?.serial_number);
    checkNoNul(device, serial);
    const prev = bySerial.get(serial);
    if (prev !== undefined) {
      const a = opDateMs(prev);
      const b = opDateMs(device);
      if (a !== null && b !== null && b < a) continue;
    }
    bySerial.set(serial, device);
  }
  return [...bySerial.values()];
}

/** Whether an incoming entry may overwrite a stored record with `storedOpDate` (ISO or null). @internal */
export function opDateWins(incomingMs: number | null, storedOpDate: string | null): boolean {
  if (incomingMs === null || storedOpDate === null) return true;
  return incomingMs >= Date.parse(storedOpDate);
}

/** The status of a record, from its fields (see `DeviceStatus`). @internal */
export function deriveStatus(r: {
  removed: boolean;
  enrolledAt: string | null;
  profileServedAt?: string | null | undefined;
  assignedProfileUuid: string | null;
  device: AdeDevice;
}): DeviceStatus {
  if (r.removed) return 'removed';
  if (r.enrolledAt !== null) return 'enrolled';
  if (r.profileServedAt != null) return 'profile-served';
  const ps = r.device.profile_status;
  if (ps === 'pushed') return 'pushed';
  if (ps === 'assigned' || r.assignedProfileUuid !== null) return 'assigned';
  return 'unassigned';
}

/** Whether a live device awaits assignment (ignoring the retry queue). @internal */
export function awaitsAssignment(r: DeviceRecord): boolean {
  return (
    !r.removed &&
    r.resolvedProfileUuid !== null &&
    r.resolvedProfileUuid !== (r.device.profile_uuid ?? null) &&
    r.resolvedProfileUuid !== r.assignedProfileUuid
  );
}

/** A fresh zeroed count per status. @internal */
export function emptyCounts(): Record<DeviceStatus, number> {
  return { unassigned: 0, assigned: 0, pushed: 0, 'profile-served': 0, enrolled: 0, removed: 0 };
}

/** A time-ordered run id (`<ms base36>-<random>`). @internal */
export function newRunId(nowMs: number): string {
  const rand = Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `${nowMs.toString(36).padStart(10, '0')}-${rand}`;
}

/**
 * Writes a page entry's plan (see `PagePlanEntry`) into the record `upsertDevice` made of it:
 * the resolution, and a successful assignment when it carries one. A removed record keeps its
 * plan as it was. Mutates `next`. @internal
 */
export function applyPlan(next: DeviceRecord, plan: PagePlanEntry | undefined): void {
  if (plan === undefined || next.removed) return;
  next.resolvedProfileUuid = plan.resolvedProfileUuid;
  next.unassignedReason = plan.unassignedReason;
  next.planRevision = plan.planRevision;
  if (plan.assignedAt !== undefined) {
    next.assignedProfileUuid = plan.assignedProfileUuid ?? null;
    next.assignedAt = plan.assignedAt;
  }
  next.status = deriveStatus(next);
}

/** What applying one page entry did. @internal */
export type EntryOutcome = 'added' | 'modified' | 'removed' | 'quiet' | 'skipped';

/**
 * Applies one (collapsed) page entry to the stored record, following the `op_date` rule.
 * Returns the next record (or `null` when skipped) and the outcome. Pure. @internal
 */
export function upsertDevice(
  prev: DeviceRecord | undefined,
  incoming: AdeDevice,
  ctx: { tokenId: string; nowIso: string; fullFetchId: string | null | undefined },
): { next: DeviceRecord | null; outcome: EntryOutcome } {
  const ms = opDateMs(incoming);
  if (prev !== undefined && !opDateWins(ms, prev.opDate)) return { next: null, outcome: 'skipped' };
  const deleted = incoming.op_type === 'deleted';
  const base: DeviceRecord = prev ?? {
    tokenId: ctx.tokenId,
    serialNumber: incoming.serial_number,
    device: incoming,
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
    profileServedAt: null,
    fullFetchId: null,
    firstSeenAt: ctx.nowIso,
    updatedAt: ctx.nowIso,
  };
  const next: DeviceRecord = {
    ...base,
    device: deleted && prev !== undefined ? { ...prev.device, ...incoming } : incoming,
    opDate: ms === null ? base.opDate : new Date(ms).toISOString(),
    opType: typeof incoming.op_type === 'string' ? incoming.op_type : base.opType,
    removed: deleted,
    removedAt: deleted ? (prev?.removed ? prev.removedAt : ctx.nowIso) : null,
    assignedProfileUuid: deleted ? null : base.assignedProfileUuid,
    assignedAt: deleted ? null : base.assignedAt,
    fullFetchId: ctx.fullFetchId ?? base.fullFetchId,
    updatedAt: ctx.nowIso,
  };
  next.status = deriveStatus(next);
  let outcome: EntryOutcome;
  if (deleted) outcome = prev !== undefined && !prev.removed ? 'removed' : 'quiet';
  else outcome = prev === undefined || prev.removed ? 'added' : 'modified';
  return { next, outcome };
}
