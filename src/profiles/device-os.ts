/**
 * Operating-system derivation from an ADE device record's `os` and `device_family`.
 *
 * @module
 */

/** The operating systems an ADE policy can set a default profile for. */
export type DeviceOs = 'ios' | 'ipados' | 'macos' | 'tvos' | 'visionos' | 'watchos';

/** Every {@link DeviceOs}, in display order. */
export const DEVICE_OS_KEYS: readonly DeviceOs[] = [
  'ios',
  'ipados',
  'macos',
  'tvos',
  'visionos',
  'watchos',
];

/** Human-readable names, for messages and UIs. */
export const DEVICE_OS_LABELS: Readonly<Record<DeviceOs, string>> = {
  ios: 'iOS',
  ipados: 'iPadOS',
  macos: 'macOS',
  tvos: 'tvOS',
  visionos: 'visionOS',
  watchos: 'watchOS',
};

/** The fields of an ADE device record that the OS is derived from (Apple's names). */
export interface DeviceOsFields {
  /** Apple's `os`: `iOS`, `iPadOS` (protocol 7+), `OSX`, `tvOS`, `visionOS`, … */
  os?: string | null | undefined;
  /** Apple's `device_family`: `iPhone`, `iPad`, `iPod`, `Mac`, `AppleTV`, `Vision`, `Watch`, … */
  device_family?: string | null | undefined;
}

/** Apple's spellings first (the hot path), then lower-case keys for lenient matching. */
function table(entries: readonly [string, DeviceOs][]): ReadonlyMap<string, DeviceOs> {
  const map = new Map<string, DeviceOs>(entries);
  for (const [name, os] of entries) map.set(name.toLowerCase(), os);
  return map;
}

const OS_BY_NAME = table([
  ['iOS', 'ios'],
  ['iPadOS', 'ipados'],
  ['OSX', 'macos'],
  ['macOS', 'macos'],
  ['tvOS', 'tvos'],
  ['visionOS', 'visionos'],
  ['watchOS', 'watchos'],
]);

const OS_BY_FAMILY = table([
  ['iPhone', 'ios'],
  ['iPod', 'ios'],
  ['iPad', 'ipados'],
  ['Mac', 'macos'],
  ['AppleTV', 'tvos'],
  ['Vision', 'visionos'],
  ['Watch', 'watchos'],
]);

function lookup(map: ReadonlyMap<string, DeviceOs>, value: string | null | undefined) {
  if (typeof value !== 'string') return undefined;
  return map.get(value) ?? map.get(value.replace(/\s+/g, '').toLowerCase());
}

/**
 * The operating system of an ADE device record, or `undefined` when neither field identifies it.
 *
 * `os` decides, except that an iPad reported as `iOS` (protocol versions before 7 have no
 * `iPadOS`) is iPadOS. Without a recognised `os`, `device_family` decides. Matching ignores case.
 *
 * @example
 * ```ts
 * deviceOs({ os: 'iOS', device_family: 'iPad' }); // 'ipados'
 * deviceOs({ os: 'OSX', device_family: 'Mac' });  // 'macos'
 * ```
 */
export function deviceOs(device: DeviceOsFields): DeviceOs | undefined {
  const os = lookup(OS_BY_NAME, device?.os);
  if (os !== undefined && os !== 'ios') return os;
  const family = lookup(OS_BY_FAMILY, device?.device_family);
  if (os === 'ios') return family === 'ipados' ? 'ipados' : 'ios';
  return family;
}
