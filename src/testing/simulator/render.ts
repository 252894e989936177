/**
 * Renders a device record for a protocol version: fields a version does not know are left out,
 * and iPads report `iOS` below protocol 7.
 *
 * @internal
 * @module
 */
import type { SimDevice } from './types.js';

const V10_FIELDS = [
  'eid',
  'wifi_mac_address',
  'bluetooth_mac_address',
  'ethernet_mac_address',
  'imei',
  'meid',
  'is_replacement_device',
] as const;

/**
 * @internal A device as served at `protocol`. At protocol ≥ 10 (nothing to drop) this is the
 * stored record itself: treat the result as read-only, copy it before adding fields.
 */
export function renderDevice(
  device: SimDevice,
  protocol: number,
): Readonly<Record<string, unknown>> {
  if (protocol >= 10) return device as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...device };
  if (protocol < 2) {
    delete out['os'];
    delete out['device_family'];
  } else if (protocol < 7 && device.os === 'iPadOS') {
    out['os'] = 'iOS';
  }
  if (protocol < 8) delete out['mdm_migration_deadline'];
  if (protocol < 10) for (const field of V10_FIELDS) delete out[field];
  return out;
}
