import { InvalidArgumentError } from '../errors/index.js';
import { type AdeProfile, type AdeProfileInput, validateProfile } from './profile-schema.js';
import {
  MINIMAL_SKIP_SETUP_ITEMS,
  SKIP_SETUP_ITEMS,
  type SkipSetupItemKey,
} from './skip-setup-items.js';

/**
 * How the device enrolls:
 * - `'automated'`: zero-touch. Supervised, enrollment mandatory, the MDM profile cannot be
 *   removed, Setup Assistant waits for the MDM's `DeviceConfigured` command and skips every
 *   known pane by default.
 * - `'user-initiated'`: the user walks through Setup Assistant (no panes skipped by default),
 *   supervised, and may remove the MDM enrollment later.
 */
export type ProfilePresetKind = 'automated' | 'user-initiated';

/**
 * Which Setup Assistant panes to skip: `'all'` (every key in {@link SKIP_SETUP_ITEMS}),
 * `'minimal'` ({@link MINIMAL_SKIP_SETUP_ITEMS}), `'none'`, or an explicit list.
 */
export type SkipSelection = 'all' | 'minimal' | 'none' | readonly SkipSetupItemKey[];

/** Options of {@link profilePreset}. Every option maps to one or more ADE profile keys. */
export interface ProfilePresetOptions {
  /** `profile_name` (≤125 characters). */
  name: string;
  /** `url`: the MDM enrollment URL. */
  url: string;
  /** `department` shown during setup (≤125 characters). */
  department?: string;
  /** `support_phone_number` shown during setup (≤50 characters). */
  supportPhone?: string;
  /** `support_email_address` shown during setup (≤250 characters). */
  supportEmail?: string;
  /**
   * `skip_setup_items`.
   * @default 'all' for `'automated'`, 'none' for `'user-initiated'`
   */
  skip?: SkipSelection;
  /**
   * `is_supervised`. Ignored by iOS 13+ (every ADE device is supervised), still required by Apple
   * for a non-removable MDM profile.
   * @default true
   */
  supervised?: boolean;
  /**
   * `is_mdm_removable`: whether the user may remove the MDM enrollment ("lock MDM" is `false`).
   * `false` requires `supervised: true`.
   * @default false for `'automated'`, true for `'user-initiated'`
   */
  removable?: boolean;
  /**
   * `await_device_configured`: Setup Assistant waits until the MDM sends `DeviceConfigured`.
   * @default true for `'automated'`, false for `'user-initiated'`
   */
  awaitDeviceConfigured?: boolean;
  /** `configuration_web_url`: an https page where the user authenticates before enrollment. */
  configurationWebUrl?: string;
  /** `org_magic` (≤256 characters). */
  orgMagic?: string;
  /** `language` (ISO 639, e.g. `'en'`); tvOS and macOS 11+. */
  language?: string;
  /** `region` (ISO 3166-1 alpha-2, e.g. `'US'`); tvOS and macOS 11+. */
  region?: string;
  /** `anchor_certs`: base64 DER certificates trusted for `url`. */
  anchorCerts?: readonly string[];
  /** Any other profile keys, applied last (they win over the preset's choices). */
  overrides?: Partial<AdeProfileInput>;
}

function skipItems(selection: SkipSelection): SkipSetupItemKey[] {
  if (selection === 'all') return [...SKIP_SETUP_ITEMS];
  if (selection === 'minimal') return [...MINIMAL_SKIP_SETUP_ITEMS];
  if (selection === 'none') return [];
  return [...selection];
}

/**
 * Build a validated ADE profile for a common case.
 *
 * @param kind - `'automated'` (zero-touch, locked MDM) or `'user-initiated'`. See {@link ProfilePresetKind}.
 * @param options - name, URL and the choices to change. See {@link ProfilePresetOptions}.
 * @returns a new profile; the caller's options are not modified.
 * @throws {@link InvalidArgumentError} for an unknown `kind`.
 * @throws {@link ProfileValidationError} when the result breaks Apple's rules, e.g.
 *   `removable: false` with `supervised: false`.
 *
 * @example
 * ```ts
 * const profile = profilePreset('automated', {
 *   name: 'Sales iPads',
 *   url: 'https://mdm.example.com/enroll',
 *   department: 'Sales',
 *   supportPhone: '+1 555 0100',
 *   skip: ['AppleID', 'Siri', 'Privacy'],
 * });
 * ```
 */
export function profilePreset(kind: ProfilePresetKind, options: ProfilePresetOptions): AdeProfile {
  if (kind !== 'automated' && kind !== 'user-initiated') {
    throw new InvalidArgumentError(
      `profilePreset: kind must be 'automated' or 'user-initiated', got ${JSON.stringify(String(kind))}`,
      { issues: [{ path: ['kind'], message: "must be 'automated' or 'user-initiated'" }] },
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      `profilePreset: options must be an object with at least { name, url }, got ${options === null ? 'null' : typeof options}`,
      { issues: [{ path: [], message: 'must be an object with name and url' }] },
    );
  }
  const automated = kind === 'automated';
  const profile: Record<string, unknown> = {
    profile_name: options.name,
    url: options.url,
    is_supervised: options.supervised ?? true,
    is_mandatory: automated,
    is_mdm_removable: options.removable ?? !automated,
    await_device_configured: options.awaitDeviceConfigured ?? automated,
    skip_setup_items: skipItems(options.skip ?? (automated ? 'all' : 'none')),
  };
  const optional: [string, unknown][] = [
    ['department', options.department],
    ['support_phone_number', options.supportPhone],
    ['support_email_address', options.supportEmail],
    ['configuration_web_url', options.configurationWebUrl],
    ['org_magic', options.orgMagic],
    ['language', options.language],
    ['region', options.region],
    ['anchor_certs', options.anchorCerts === undefined ? undefined : [...options.anchorCerts]],
  ];
  for (const [key, value] of optional) if (value !== undefined) profile[key] = value;
  return validateProfile({ ...profile, ...options.overrides });
}
