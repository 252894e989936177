import { InvalidArgumentError } from '../errors/index.js';
import { type CompiledProfilePolicy, compilePolicy } from './compile-policy.js';
import { deviceOs } from './device-os.js';
import type {
  ProfileDevice,
  ProfilePolicy,
  ProfileResolution,
  UnassignedResolution,
} from './policy-types.js';
import { isNormalised, normaliseSerial } from './serial.js';

/**
 * Throws {@link InvalidArgumentError} unless `devices` is iterable (a JavaScript caller may pass
 * `null` or a plain object).
 *
 * @internal
 */
export function checkDevices(fn: string, devices: unknown): void {
  const iterator = (devices as { [Symbol.iterator]?: unknown } | null | undefined)?.[
    Symbol.iterator
  ];
  if (typeof iterator === 'function') return;
  throw new InvalidArgumentError(
    `${fn}: devices must be an array (or another iterable) of ADE device records, got ${devices === null ? 'null' : typeof devices}`,
    { issues: [{ path: ['devices'], message: 'must be an array of device records' }] },
  );
}

const NO_SERIAL: UnassignedResolution = Object.freeze({
  profileUuid: null,
  source: 'unassigned',
  reason: 'the device record has no serial_number, so no profile can be assigned to it',
});

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : 'missing';
}

/**
 * Resolve one device against a compiled policy. The hot path: at most two map lookups and no
 * allocation for devices whose result is precomputed.
 *
 * @internal
 */
export function resolveCompiled(
  device: ProfileDevice,
  compiled: CompiledProfilePolicy,
): ProfileResolution {
  const serial: unknown = device?.serial_number; // a null record has no serial either
  if (typeof serial !== 'string') return NO_SERIAL;
  let hit = compiled.bySerial.get(serial);
  if (hit === undefined && !isNormalised(serial)) {
    const normalized = normaliseSerial(serial);
    if (normalized.length === 0) return NO_SERIAL;
    hit = compiled.bySerial.get(normalized);
  }
  if (hit !== undefined) return hit;
  if (serial.length === 0) return NO_SERIAL;
  const os = deviceOs(device);
  if (os !== undefined) return compiled.byOs[os];
  return {
    profileUuid: null,
    source: 'unassigned',
    reason: `no device-level or group assignment, and the operating system is unknown (os: ${describe(device.os)}, device_family: ${describe(device.device_family)}), so no OS default applies`,
  };
}

/**
 * Which ADE profile a device should have under a policy. Pure: no I/O, no clock, inputs are
 * not modified, and the same input always gives the same output.
 *
 * Order: a device-level assignment (by serial, ignoring case and whitespace) wins; then the
 * group with the highest `priority` (ties: the group listed first) that lists the serial; then the
 * default for the device's operating system (derived from `os` and `device_family`; the `ios`
 * default also serves iPads without an `ipados` default); otherwise unassigned, with a reason.
 *
 * Resolving many devices? Compile once with {@link compilePolicy} and pass the compiled policy,
 * or use {@link resolveProfiles}: a plain policy is validated and indexed on every call.
 *
 * @param device - an ADE device record (at least `serial_number`; `os`, `device_family`).
 * @param policy - a {@link ProfilePolicy} or a {@link CompiledProfilePolicy}.
 * @returns a frozen {@link ProfileResolution}.
 * @throws {@link PolicyValidationError} when `policy` is malformed.
 *
 * @example
 * ```ts
 * resolveProfile(
 *   { serial_number: 'DMPXL0ABJG5H', os: 'iOS', device_family: 'iPad' },
 *   { osDefaults: { ios: 'B2C3D4' } },
 * ); // { profileUuid: 'B2C3D4', source: 'os-default' }
 * ```
 */
export function resolveProfile(
  device: ProfileDevice,
  policy: ProfilePolicy | CompiledProfilePolicy,
): ProfileResolution {
  return resolveCompiled(device, compilePolicy(policy));
}

/**
 * Resolve a whole device list against one policy (compiled once). Pure; results are in the
 * order of `devices`.
 *
 * @param devices - ADE device records.
 * @param policy - a {@link ProfilePolicy} or a {@link CompiledProfilePolicy}.
 * @returns one frozen {@link ProfileResolution} per device, in order.
 * @throws {@link PolicyValidationError} when `policy` is malformed.
 */
export function resolveProfiles(
  devices: Iterable<ProfileDevice>,
  policy: ProfilePolicy | CompiledProfilePolicy,
): ProfileResolution[] {
  checkDevices('resolveProfiles', devices);
  const compiled = compilePolicy(policy);
  if (Array.isArray(devices)) {
    const list: readonly ProfileDevice[] = devices;
    const out = new Array<ProfileResolution>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = resolveCompiled(list[i]!, compiled);
    return out;
  }
  const out: ProfileResolution[] = [];
  for (const device of devices) out.push(resolveCompiled(device, compiled));
  return out;
}
