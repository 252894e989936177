import type { ProfilePolicy } from '../profiles/policy-types.js';
import { canonicalProfileUuid } from '../profiles/profile-uuid.js';

/**
 * A copy of `policy` with every profile UUID in its canonical form (upper case, no dashes), so
 * that what the manager plans, assigns and stores compares equal to Apple's `profile_uuid`.
 * Values that are not strings are left for validation to report. @internal
 */
export function canonicalPolicy(policy: ProfilePolicy): ProfilePolicy {
  if (policy === null || typeof policy !== 'object') return policy;
  const out: ProfilePolicy = { ...policy };
  if (policy.devices !== null && typeof policy.devices === 'object') {
    const devices: Record<string, string> = {};
    for (const [serial, uuid] of Object.entries(policy.devices)) {
      devices[serial] = canonicalProfileUuid(uuid);
    }
    out.devices = devices;
  }
  if (Array.isArray(policy.groups)) {
    out.groups = policy.groups.map((g) =>
      g !== null && typeof g === 'object'
        ? { ...g, profileUuid: canonicalProfileUuid(g.profileUuid) }
        : g,
    );
  }
  if (policy.osDefaults !== null && typeof policy.osDefaults === 'object') {
    const defaults: Record<string, unknown> = {};
    for (const [os, uuid] of Object.entries(policy.osDefaults)) {
      defaults[os] = canonicalProfileUuid(uuid);
    }
    out.osDefaults = defaults as ProfilePolicy['osDefaults'];
  }
  return out;
}

/**
 * Where a profile UUID is used in a policy, as paths an admin recognises:
 * `osDefaults.macos`, `groups[0] (id "sales")`, `devices["C02XL0ABJG5H"]`. @internal
 */
export function policyEntriesFor(policy: ProfilePolicy | null, profileUuid: string): string[] {
  if (policy === null || typeof policy !== 'object') return [];
  const target = canonicalProfileUuid(profileUuid);
  const out: string[] = [];
  for (const [os, uuid] of Object.entries(policy.osDefaults ?? {})) {
    if (canonicalProfileUuid(uuid) === target) out.push(`osDefaults.${os}`);
  }
  (policy.groups ?? []).forEach((g, i) => {
    if (canonicalProfileUuid(g?.profileUuid) === target) out.push(`groups[${i}] (id "${g.id}")`);
  });
  let devices = 0;
  for (const [serial, uuid] of Object.entries(policy.devices ?? {})) {
    if (canonicalProfileUuid(uuid) !== target) continue;
    if (devices < 3) out.push(`devices["${serial}"]`);
    devices++;
  }
  if (devices > 3) out.push(`and ${devices - 3} more device entries`);
  return out;
}
