import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  type DeviceOs,
  type OsDefaults,
  type ProfileDevice,
  type ProfilePolicy,
  type ProfileResolution,
  planAssignments,
  resolveProfile,
  resolveProfiles,
} from '../../../src/index.js';
import { deepFreeze, snapshot } from './helpers.js';

/** Apple's (os, device_family) pairs and the OS they mean, plus unknowns. */
const OS_CASES: readonly [string | null, string | null, DeviceOs | undefined][] = [
  ['iOS', 'iPhone', 'ios'],
  ['iOS', 'iPad', 'ipados'],
  ['iPadOS', 'iPad', 'ipados'],
  ['OSX', 'Mac', 'macos'],
  ['tvOS', 'AppleTV', 'tvos'],
  ['visionOS', 'Vision', 'visionos'],
  ['watchOS', null, 'watchos'],
  [null, 'iPad', 'ipados'],
  [null, null, undefined],
  ['NewOS', null, undefined],
];
const OS_KEYS: readonly DeviceOs[] = ['ios', 'ipados', 'macos', 'tvos', 'visionos', 'watchos'];

const serialPool = Array.from({ length: 24 }, (_, i) => `SN${String(i).padStart(8, '0')}`);
const uuid = fc.constantFrom('P1', 'P2', 'P3', 'p-4', 'P5');
const poolSerial = fc.constantFrom(...serialPool);
/** A serial as a policy or a record may spell it: lower case, padded. */
const spelled = poolSerial.chain((s) =>
  fc.constantFrom(s, s.toLowerCase(), ` ${s} `, `${s.slice(0, 4)} ${s.slice(4)}`),
);

const policyArb: fc.Arbitrary<ProfilePolicy> = fc.record(
  {
    devices: fc.dictionary(poolSerial, uuid, { maxKeys: 6 }),
    groups: fc.uniqueArray(
      fc.record(
        {
          id: fc.constantFrom('g1', 'g2', 'g3', 'g4', 'g5', 'g6'),
          profileUuid: uuid,
          serials: fc.array(spelled, { maxLength: 8 }),
          priority: fc.integer({ min: -2, max: 2 }),
        },
        { requiredKeys: ['id', 'profileUuid', 'serials'] },
      ),
      { selector: (g) => g.id, maxLength: 6 },
    ),
    osDefaults: fc.record(
      Object.fromEntries(OS_KEYS.map((os) => [os, uuid])) as Record<DeviceOs, typeof uuid>,
      { requiredKeys: [] },
    ) as fc.Arbitrary<OsDefaults>,
  },
  { requiredKeys: [] },
);

const deviceArb: fc.Arbitrary<ProfileDevice & { expectedOs: DeviceOs | undefined }> = fc
  .tuple(
    fc.oneof(spelled, fc.constantFrom('OTHER00001', 'OTHER00002')),
    fc.constantFrom(...OS_CASES),
    fc.option(uuid, { nil: null }),
    fc.constantFrom('assigned', 'pushed', 'removed', 'empty'),
  )
  .map(([serial_number, [os, device_family, expectedOs], profile_uuid, profile_status]) => ({
    serial_number,
    os,
    device_family,
    profile_uuid,
    profile_status,
    expectedOs,
  }));

const norm = (s: string) => s.replace(/\s+/g, '').toUpperCase();

/** The resolution order written out directly from the specification. */
function oracle(
  device: ProfileDevice & { expectedOs: DeviceOs | undefined },
  policy: ProfilePolicy,
) {
  const serial = norm(device.serial_number);
  const direct = Object.entries(policy.devices ?? {}).find(([k]) => norm(k) === serial);
  if (direct) return { profileUuid: direct[1], source: 'device' as const };
  const groups = (policy.groups ?? [])
    .map((g, index) => ({ g, index }))
    .filter(({ g }) => g.serials.some((s) => norm(s) === serial));
  if (groups.length > 0) {
    groups.sort((a, b) => (b.g.priority ?? 0) - (a.g.priority ?? 0) || a.index - b.index);
    const { g } = groups[0]!;
    return { profileUuid: g.profileUuid, source: 'group' as const, groupId: g.id };
  }
  const os = device.expectedOs;
  const defaults = policy.osDefaults ?? {};
  const fallback =
    os === undefined ? undefined : (defaults[os] ?? (os === 'ipados' ? defaults.ios : undefined));
  if (fallback !== undefined) return { profileUuid: fallback, source: 'os-default' as const };
  return { profileUuid: null, source: 'unassigned' as const };
}

function comparable(result: ProfileResolution) {
  return result.profileUuid === null ? { profileUuid: null, source: result.source } : result;
}

describe('resolveProfile (property)', () => {
  it('always obeys device > group (priority, then earliest) > OS default > unassigned', () => {
    fc.assert(
      fc.property(policyArb, fc.array(deviceArb, { maxLength: 30 }), (policy, devices) => {
        deepFreeze(policy);
        deepFreeze(devices);
        const before = snapshot({ policy, devices });
        const batch = resolveProfiles(devices, policy);
        devices.forEach((device, i) => {
          const expected = oracle(device, policy);
          expect(comparable(resolveProfile(device, policy))).toEqual(expected);
          expect(comparable(batch[i]!)).toEqual(expected);
          if (expected.source === 'unassigned') {
            expect((batch[i] as { reason: string }).reason.length).toBeGreaterThan(20);
          }
        });
        expect({ policy, devices }).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});

describe('planAssignments (property)', () => {
  it('respects the batch limit, skips devices already on their profile, covers each device once', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.array(deviceArb, { maxLength: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        (policy, devices, batchSize) => {
          deepFreeze(policy);
          deepFreeze(devices);
          const compiled = compilePolicy(policy);
          const plan = planAssignments(devices, compiled, { batchSize });
          const firstBySerial = new Map<string, (typeof devices)[number]>();
          for (const d of devices)
            if (!firstBySerial.has(norm(d.serial_number)))
              firstBySerial.set(norm(d.serial_number), d);

          const seen: string[] = [];
          for (const batch of plan.batches) {
            expect(batch.serials.length).toBeGreaterThan(0);
            expect(batch.serials.length).toBeLessThanOrEqual(Math.min(batchSize, 1000));
            for (const s of batch.serials) {
              const device = firstBySerial.get(s)!;
              const resolved = resolveProfile(device, compiled);
              expect(resolved.profileUuid).toBe(batch.profileUuid);
              const onIt =
                device.profile_status !== 'removed' &&
                typeof device.profile_uuid === 'string' &&
                norm(device.profile_uuid).replace(/-/g, '') ===
                  norm(batch.profileUuid).replace(/-/g, '');
              expect(onIt).toBe(false);
              seen.push(s);
            }
          }
          for (const u of plan.unassigned) seen.push(norm(u.serial_number));
          for (const s of plan.skipped) seen.push(norm(s.serial_number));
          expect(seen.sort()).toEqual([...firstBySerial.keys()].sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never exceeds 1000 serials per batch on large fleets', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3500 }), fc.constantFrom('iOS', 'OSX'), (count, os) => {
        const devices = Array.from({ length: count }, (_, i) => ({
          serial_number: `SN${String(i).padStart(8, '0')}`,
          os,
        }));
        const plan = planAssignments(devices, { osDefaults: { ios: 'A', macos: 'B' } });
        expect(plan.batches.every((b) => b.serials.length <= 1000)).toBe(true);
        expect(plan.batches.reduce((n, b) => n + b.serials.length, 0)).toBe(count);
      }),
      { numRuns: 25 },
    );
  });
});
