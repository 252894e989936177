import { PolicyValidationError } from '../errors/index.js';
import { DEVICE_OS_KEYS, DEVICE_OS_LABELS, type DeviceOs } from './device-os.js';
import type {
  AssignedResolution,
  OsDefaults,
  ProfilePolicy,
  ProfilePolicyGroup,
  UnassignedResolution,
} from './policy-types.js';
import { normaliseSerial } from './serial.js';
import { policyIssues } from './validate-policy.js';

const NO_ASSIGNMENT = 'no device-level or group assignment';

function osOutcome(os: DeviceOs, defaults: OsDefaults): AssignedResolution | UnassignedResolution {
  const uuid = defaults[os] ?? (os === 'ipados' ? defaults.ios : undefined);
  if (uuid !== undefined) return Object.freeze({ profileUuid: uuid, source: 'os-default' });
  const fallback = os === 'ipados' ? ' (nor an iOS default, which also serves iPads)' : '';
  return Object.freeze({
    profileUuid: null,
    source: 'unassigned',
    reason: `${NO_ASSIGNMENT}, and the policy has no default profile for ${DEVICE_OS_LABELS[os]}${fallback}`,
  });
}

/**
 * A {@link ProfilePolicy} validated once and indexed for fast resolution: one map from
 * normalised serial to the winning device- or group-level result, and one precomputed result per
 * operating system. Create it with {@link compilePolicy}; it is immutable.
 */
export class CompiledProfilePolicy {
  /** @internal Normalised serial → winning device- or group-level result. */
  readonly bySerial: ReadonlyMap<string, AssignedResolution>;
  /** @internal Operating system → OS-default result, or the unassigned result with its reason. */
  readonly byOs: Readonly<Record<DeviceOs, AssignedResolution | UnassignedResolution>>;
  /** Number of device-level entries in the source policy. */
  readonly deviceCount: number;
  /** Number of groups in the source policy. */
  readonly groupCount: number;

  /** @internal Use {@link compilePolicy}. */
  constructor(policy: ProfilePolicy) {
    const bySerial = new Map<string, AssignedResolution>();
    const deviceResults = new Map<string, AssignedResolution>();
    const devices = Object.entries(policy.devices ?? {});
    for (const [serial, profileUuid] of devices) {
      let result = deviceResults.get(profileUuid);
      if (result === undefined) {
        result = Object.freeze({ profileUuid, source: 'device' });
        deviceResults.set(profileUuid, result);
      }
      bySerial.set(normaliseSerial(serial), result);
    }
    const groups = policy.groups ?? [];
    for (const group of byPrecedence(groups)) {
      const result: AssignedResolution = Object.freeze({
        profileUuid: group.profileUuid,
        source: 'group',
        groupId: group.id,
      });
      for (const serial of group.serials) {
        const key = normaliseSerial(serial);
        if (!bySerial.has(key)) bySerial.set(key, result);
      }
    }
    const defaults = policy.osDefaults ?? {};
    const byOs = {} as Record<DeviceOs, AssignedResolution | UnassignedResolution>;
    for (const os of DEVICE_OS_KEYS) byOs[os] = osOutcome(os, defaults);
    this.bySerial = bySerial;
    this.byOs = Object.freeze(byOs);
    this.deviceCount = devices.length;
    this.groupCount = groups.length;
    Object.freeze(this);
  }
}

/** Groups ordered by precedence: highest priority first, then the order of the policy. */
function byPrecedence(groups: readonly ProfilePolicyGroup[]): ProfilePolicyGroup[] {
  return groups
    .map((group, index) => ({ group, index, priority: group.priority ?? 0 }))
    .sort((a, b) => b.priority - a.priority || a.index - b.index)
    .map((entry) => entry.group);
}

/**
 * Validate a policy once and index it for resolving many devices (see
 * {@link resolveProfiles} and {@link planAssignments}). The input is not modified and not
 * retained: later changes to it do not affect the compiled policy.
 *
 * @throws {@link PolicyValidationError} listing every problem with its path, e.g. a non-string
 *   profile UUID, an invalid serial, duplicate group ids, an unknown `osDefaults` key.
 *
 * @example
 * ```ts
 * const compiled = compilePolicy({ groups: [{ id: 'sales', profileUuid: 'A1B2', serials: ['C02XL0ABJG5H'] }] });
 * ```
 */
export function compilePolicy(
  policy: ProfilePolicy | CompiledProfilePolicy,
): CompiledProfilePolicy {
  if (policy instanceof CompiledProfilePolicy) return policy;
  const issues = policyIssues(policy);
  if (issues.length > 0) {
    const shown = issues.slice(0, 20).map((i) => i.message);
    const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
    throw new PolicyValidationError(
      `Profile policy is invalid (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}): ${shown.join('; ')}${more}. Fix the policy; no device was resolved.`,
      { issues },
    );
  }
  return new CompiledProfilePolicy(policy);
}
