import { containsNul } from '../domain/devices.js';
import { canonicalProfileUuid } from '../profiles/profile-uuid.js';
import type { AdeDevice } from '../schemas/device.js';

/** Longest serial number the manager accepts from Apple (real ones are 10 to 14 characters). */
const MAX_SERIAL = 64;

import type { InvalidRecord } from './types.js';

/** A device record of a page that was not stored, and why. @internal */
export type SkippedRecord = InvalidRecord;

function describeSerial(serial: unknown): string {
  if (typeof serial !== 'string') return String(serial);
  return serial.length > 80 ? `${serial.slice(0, 77)}...` : serial;
}

/** Why one record cannot be stored, or `null` when it can. */
function problem(device: unknown): string | null {
  if (device === null || typeof device !== 'object') return 'the record is not an object';
  const serial = (device as { serial_number?: unknown }).serial_number;
  if (typeof serial !== 'string' || serial.trim() === '') return 'the serial number is empty';
  if (serial.length > MAX_SERIAL) {
    return `the serial number has ${serial.length} characters (at most ${MAX_SERIAL})`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked
  if (/[\u0000-\u001f\u007f]/.test(serial)) return 'the serial number has control characters';
  // The same depth as the stores' own check (`checkNoNul`), which would fail the whole page.
  for (const field in device) {
    if (!Object.hasOwn(device, field)) continue;
    if (field.includes('\u0000')) return 'a field name contains a NUL character';
    if (containsNul((device as Record<string, unknown>)[field])) {
      return `field ${field} contains a NUL character`;
    }
  }
  return null;
}

/**
 * Splits a page into the records that can be stored (with `profile_uuid` in canonical form) and
 * the ones that cannot (empty or overlong serial, NUL characters): one bad record must not keep
 * the good ones of its page, or the pages after it, from being stored. @internal
 */
export function guardPage(devices: readonly AdeDevice[]): {
  devices: AdeDevice[];
  skipped: SkippedRecord[];
} {
  const out: AdeDevice[] = [];
  const skipped: SkippedRecord[] = [];
  for (const device of devices) {
    const why = problem(device);
    if (why !== null) {
      skipped.push({
        serialNumber: describeSerial((device as { serial_number?: unknown })?.serial_number),
        reason: why,
      });
      continue;
    }
    const uuid = device.profile_uuid;
    out.push(
      typeof uuid === 'string' && uuid !== canonicalProfileUuid(uuid)
        ? { ...device, profile_uuid: canonicalProfileUuid(uuid) }
        : device,
    );
  }
  return { devices: out, skipped };
}
