import type { MachineInfo } from './machine-info.js';

/** A device platform, from MachineInfo `PRODUCT`. */
export type EnrollmentPlatform = 'ios' | 'macos' | 'tvos' | 'watchos' | 'visionos' | 'unknown';

/** A minimum OS: a version (`17.4`, `17.4 (a)`) and optionally a build to pin. */
export interface MinimumOsTarget {
  /** `OSVersion` sent to the device, e.g. `17.4.1` or `17.4 (a)`. */
  osVersion: string;
  /** `BuildVersion` (optional; when inconsistent, the device follows `osVersion`). */
  buildVersion?: string | undefined;
}

/** What {@link decideMinimumOs} concluded. */
export type MinimumOsDecision =
  | {
      readonly action: 'update';
      readonly target: MinimumOsTarget;
      readonly platform: EnrollmentPlatform;
    }
  | {
      readonly action: 'allow';
      readonly platform: EnrollmentPlatform;
      /** Why no update is asked for. */
      readonly reason:
        | 'no-target'
        | 'up-to-date'
        | 'device-cannot-update'
        | 'platform-unsupported'
        | 'version-unknown';
    };

/** The platform of a model identifier (`iPhone15,2` → `ios`, `Mac14,3` → `macos`, …). */
export function platformOf(product: string | undefined): EnrollmentPlatform {
  const p = product ?? '';
  if (/^(iPhone|iPad|iPod)/.test(p)) return 'ios';
  if (/^(Mac|iMac|VirtualMac|MacBook|Macmini|MacPro|Xserve)/i.test(p)) return 'macos';
  if (/^AppleTV/.test(p)) return 'tvos';
  if (/^Watch/.test(p)) return 'watchos';
  if (/^RealityDevice/.test(p)) return 'visionos';
  return 'unknown';
}

/** Platforms that accept `com.apple.softwareupdate.required` (iOS/iPadOS 17+, macOS 14+, visionOS 26+). */
const SUPPORTED: ReadonlySet<EnrollmentPlatform> = new Set(['ios', 'macos', 'visionos']);

interface ParsedVersion {
  parts: number[];
  /** Supplemental (Rapid Security Response) letter: '' for none, else `a`, `b`, … */
  extra: string;
}

function parseVersion(text: string): ParsedVersion | undefined {
  const m = /^\s*(\d+(?:\.\d+){0,3})\s*(?:\(\s*([a-z])\s*\))?\s*$/i.exec(text);
  if (m === null) return undefined;
  return { parts: (m[1] as string).split('.').map(Number), extra: (m[2] ?? '').toLowerCase() };
}

/**
 * Compares OS versions with supplemental letters: `17.4` < `17.4 (a)` < `17.4 (b)` < `17.4.1`;
 * missing components count as zero (`17` = `17.0.0`). Returns a negative number, zero or a
 * positive number; `undefined` when either is not a version.
 */
export function compareOsVersions(a: string, b: string): number | undefined {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (x === undefined || y === undefined) return undefined;
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.extra === y.extra ? 0 : x.extra < y.extra ? -1 : 1;
}

/** The device's full OS version: `OS_VERSION` plus `SUPPLEMENTAL_OS_VERSION_EXTRA`. */
export function deviceOsVersion(
  info: Pick<MachineInfo, 'osVersion' | 'supplementalOsVersionExtra'>,
): string | undefined {
  if (info.osVersion === undefined || info.osVersion === '') return undefined;
  const extra = info.supplementalOsVersionExtra?.trim();
  return extra ? `${info.osVersion} ${extra}` : info.osVersion;
}

/**
 * Whether to answer a device with Apple's "software update required" document: only when a
 * target is set, the platform supports it, the device says it can handle it
 * (`MDM_CAN_REQUEST_SOFTWARE_UPDATE`) and its OS version is below the target. Otherwise allow
 * enrollment (a device that cannot update would be stuck).
 */
export function decideMinimumOs(
  info: MachineInfo,
  target: MinimumOsTarget | string | undefined | null,
): MinimumOsDecision {
  const platform = platformOf(info.product);
  if (target === undefined || target === null)
    return { action: 'allow', platform, reason: 'no-target' };
  const t: MinimumOsTarget = typeof target === 'string' ? { osVersion: target } : target;
  if (!SUPPORTED.has(platform))
    return { action: 'allow', platform, reason: 'platform-unsupported' };
  if (!info.canRequestSoftwareUpdate)
    return { action: 'allow', platform, reason: 'device-cannot-update' };
  const current = deviceOsVersion(info);
  const cmp = current === undefined ? undefined : compareOsVersions(current, t.osVersion);
  if (cmp === undefined) return { action: 'allow', platform, reason: 'version-unknown' };
  if (cmp >= 0) return { action: 'allow', platform, reason: 'up-to-date' };
  return { action: 'update', platform, target: t };
}

/**
 * Apple's `com.apple.softwareupdate.required` document (JSON), to send with status `403`.
 */
export function softwareUpdateRequiredDocument(
  target: MinimumOsTarget,
  options: { message?: string | undefined; description?: string | undefined } = {},
): Record<string, unknown> {
  return {
    code: 'com.apple.softwareupdate.required',
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.message === undefined ? {} : { message: options.message }),
    details: {
      OSVersion: target.osVersion,
      ...(target.buildVersion === undefined ? {} : { BuildVersion: target.buildVersion }),
    },
  };
}
