import type { AdeDevice } from './device.js';

const STRING_FIELDS = [
  'model',
  'description',
  'color',
  'asset_tag',
  'profile_status',
  'profile_uuid',
  'profile_assign_time',
  'profile_push_time',
  'device_assigned_date',
  'device_assigned_by',
  'os',
  'device_family',
  'op_type',
  'op_date',
  'response_status',
  'mdm_migration_deadline',
  'eid',
  'wifi_mac_address',
  'bluetooth_mac_address',
] as const;
const BOOLEAN_FIELDS = ['is_replacement_device', 'released_by_replacement'] as const;
const STRING_LIST_FIELDS = ['imei', 'meid'] as const;

function isStringList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

type Kind = 's' | 'b' | 'l' | 'm';
const KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ...STRING_FIELDS.map((k): [string, Kind] => [k, 's']),
  ...BOOLEAN_FIELDS.map((k): [string, Kind] => [k, 'b']),
  ...STRING_LIST_FIELDS.map((k): [string, Kind] => [k, 'l']),
  ['ethernet_mac_address', 'm'],
]);

/**
 * A fast, allocation-free check that `value` satisfies `adeDeviceSchema` (same rules, no copy).
 * Used on device pages, where zod's per-object parsing dominated the client's overhead; when it
 * fails, the caller re-runs zod to report precise issues. It walks the keys the object has
 * (unknown keys are allowed) rather than probing every known field.
 * @internal
 */
export function isAdeDevice(value: unknown): value is AdeDevice {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (typeof record['serial_number'] !== 'string') return false;
  for (const key in record) {
    const kind = KINDS.get(key);
    if (kind === undefined) continue;
    const v = record[key];
    if (v === undefined || v === null) continue;
    if (kind === 's') {
      if (typeof v !== 'string') return false;
    } else if (kind === 'b') {
      if (typeof v !== 'boolean') return false;
    } else if (kind === 'l') {
      if (!isStringList(v)) return false;
    } else if (typeof v !== 'string' && !isStringList(v)) {
      return false;
    }
  }
  return true;
}
