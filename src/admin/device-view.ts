import { DEVICE_STATUSES } from '../domain/devices.js';
import { DEVICE_OS_LABELS, deviceOs } from '../profiles/device-os.js';
import type { DeviceRecord, DeviceStatus } from '../storage/types.js';

/** One device as the operator's tools show it: a row of the devices table. No secrets. */
export interface DeviceView {
  /** The serial number. */
  serialNumber: string;
  /** Apple's model name, e.g. `iPhone 15`. */
  model: string | null;
  /** The OS label (`iOS`, `macOS`, …), or `null` when Apple's record does not tell. */
  os: string | null;
  /** Unassigned → assigned → pushed → profile served → enrolled (or removed). */
  status: DeviceStatus;
  /** The profile it has: assigned by abmkit, else Apple's record, else the planned one. */
  profileUuid: string | null;
  /** Why it has no profile, when it has none. */
  unassignedReason: string | null;
  /** Apple's description, asset tag and color, when set. */
  description: string | null;
  /** The asset tag, when set. */
  assetTag: string | null;
  /** When Apple last changed the record (ISO), or `null` when only fetched so far. */
  opDate: string | null;
}

/**
 * The statuses the operator's tools filter devices by (`GET …/devices?status=`, `abmkit devices
 * --status`), in the order they are listed. Without a filter, all but `removed` are shown.
 * @internal
 */
export const DEVICE_STATUS_FILTERS: readonly DeviceStatus[] = DEVICE_STATUSES;

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Maps a stored device record to the row shown by the CLI, the admin API and the console. */
export function deviceView(record: DeviceRecord): DeviceView {
  const device = record.device as Record<string, unknown>;
  const os = deviceOs(record.device);
  return {
    serialNumber: record.serialNumber,
    model: text(device['model']),
    os: os === undefined ? null : DEVICE_OS_LABELS[os],
    status: record.status,
    profileUuid:
      record.assignedProfileUuid ?? text(device['profile_uuid']) ?? record.resolvedProfileUuid,
    unassignedReason: record.status === 'unassigned' ? record.unassignedReason : null,
    description: text(device['description']),
    assetTag: text(device['asset_tag']),
    opDate: record.opDate,
  };
}
