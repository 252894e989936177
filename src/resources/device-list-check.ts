import { isAdeDevice } from '../schemas/device-check.js';
import type { DeviceListResponse } from './device-list.js';

const isOptionalString = (v: unknown): boolean =>
  v === undefined || v === null || typeof v === 'string';

/**
 * A fast, allocation-free check that a parsed fetch or sync page satisfies
 * `deviceListResponseSchema` (same rules, unknown keys allowed, no copy). The transport accepts a
 * page that passes as it is, and runs the zod schema only on a page that fails, to report precise
 * issues: zod's refinement on the device array made every page survive the young-generation
 * garbage collections (promoted, then collected again), which cost more than the parsing itself.
 * @internal
 */
export function isDeviceListResponse(value: unknown): value is DeviceListResponse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const page = value as Record<string, unknown>;
  const devices = page['devices'];
  if (devices !== undefined && devices !== null) {
    if (!Array.isArray(devices)) return false;
    for (const device of devices) if (!isAdeDevice(device)) return false;
  }
  const more = page['more_to_follow'];
  return (
    isOptionalString(page['cursor']) &&
    isOptionalString(page['fetched_until']) &&
    (more === undefined || more === null || typeof more === 'boolean')
  );
}
