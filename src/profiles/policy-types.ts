import type { DeviceOsFields } from './device-os.js';

/**
 * Default profile UUID per operating system. The `ios` default also serves iPads when
 * `ipados` is not set.
 */
export interface OsDefaults {
  /** iPhone and iPod touch (and iPads when `ipados` is not set). */
  ios?: string | undefined;
  /** iPad, whether Apple reports it as `iPadOS` or (older protocol versions) as `iOS` + `iPad`. */
  ipados?: string | undefined;
  /** Mac (`OSX` in Apple's records). */
  macos?: string | undefined;
  /** Apple TV. */
  tvos?: string | undefined;
  /** Apple Vision Pro. */
  visionos?: string | undefined;
  /** Apple Watch, should Apple report it. */
  watchos?: string | undefined;
}

/** A group-level assignment in a {@link ProfilePolicy}. */
export interface ProfilePolicyGroup {
  /** Unique id of the group within the policy; reported as `groupId` when the group wins. */
  id: string;
  /** Profile UUID assigned to every device of the group. */
  profileUuid: string;
  /** Serial numbers of the group's devices (matched ignoring case and whitespace). */
  serials: readonly string[];
  /**
   * Precedence when a device is in several groups: the highest `priority` wins; among equal
   * priorities the group listed first wins.
   * @default 0
   */
  priority?: number | undefined;
  /** Display name; not used for resolution. */
  name?: string | undefined;
}

/**
 * Which ADE profile each device should get, as plain data (JSON-serialisable). Resolution order:
 * `devices` (by serial) → `groups` (highest priority, then earliest) → `osDefaults` → unassigned.
 *
 * Serial numbers are matched ignoring case and whitespace. Unknown keys are rejected by
 * {@link compilePolicy} so that a typo never silently drops assignments.
 */
export interface ProfilePolicy {
  /** Device-level assignments: serial number → profile UUID. */
  devices?: Readonly<Record<string, string>> | undefined;
  /** Group-level assignments; earlier groups take precedence (see {@link ProfilePolicyGroup.priority}). */
  groups?: readonly ProfilePolicyGroup[] | undefined;
  /** Default profile per operating system. */
  osDefaults?: OsDefaults | undefined;
}

/**
 * The fields of an ADE device record that profile resolution reads (Apple's names). Any ADE
 * device record fits; other fields are ignored.
 */
export interface ProfileDevice extends DeviceOsFields {
  /** The device's serial number. */
  serial_number: string;
  /** Profile currently assigned by Apple, if any. */
  profile_uuid?: string | null | undefined;
  /** Apple's `profile_status`: `empty`, `assigned`, `pushed` or `removed`. */
  profile_status?: string | null | undefined;
}

/** Where a resolved profile came from. */
export type ResolutionSource = 'device' | 'group' | 'os-default';

/** A device that resolves to a profile. */
export interface AssignedResolution {
  /** The profile UUID to assign. */
  profileUuid: string;
  /** Which rule of the policy decided. */
  source: ResolutionSource;
  /** The winning group's id, when `source` is `'group'`. */
  groupId?: string;
}

/** A device that no rule of the policy covers; shown as Unassigned. */
export interface UnassignedResolution {
  /** Always `null`. */
  profileUuid: null;
  /** Always `'unassigned'`. */
  source: 'unassigned';
  /** Why, in words an admin can act on (e.g. "…no default profile for macOS"). */
  reason: string;
}

/**
 * The result of {@link resolveProfile}. Results are frozen and may be shared between devices;
 * do not mutate them.
 */
export type ProfileResolution = AssignedResolution | UnassignedResolution;
