import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  InvalidArgumentError,
  MAX_ASSIGN_BATCH,
  MAX_SERIALS_PER_REQUEST,
  type ProfileDevice,
  type ProfilePolicy,
  planAssignments,
} from '../../../src/index.js';
import { deepFreeze, snapshot } from './helpers.js';

const policy: ProfilePolicy = deepFreeze({
  devices: { C02XL0ABJG5H: 'DEV' },
  groups: [{ id: 'sales', profileUuid: 'sales-1', serials: ['DMPXL0ABJG5H'] }],
  osDefaults: { ios: 'IOS', macos: 'MAC' },
});

const serial = (i: number) => `SN${String(i).padStart(8, '0')}`;

describe('planAssignments', () => {
  it('groups by profile in a deterministic order and lists unassigned devices with reasons', () => {
    const devices: ProfileDevice[] = deepFreeze([
      { serial_number: 'ZZZZZZZZ01', os: 'iOS', device_family: 'iPhone' },
      { serial_number: 'C02XL0ABJG5H', os: 'OSX' },
      { serial_number: 'AAAAAAAA01', os: 'iOS', device_family: 'iPad' },
      { serial_number: 'TVTVTVTV01', os: 'tvOS' },
      { serial_number: 'MACMAC0001', os: 'OSX', device_family: 'Mac' },
      { serial_number: 'dmpxl0abjg5h', os: 'iOS' },
    ]);
    const before = snapshot(devices);
    const plan = planAssignments(devices, policy);
    expect(plan).toEqual({
      batches: [
        { profileUuid: 'DEV', serials: ['C02XL0ABJG5H'] },
        { profileUuid: 'IOS', serials: ['AAAAAAAA01', 'ZZZZZZZZ01'] },
        { profileUuid: 'MAC', serials: ['MACMAC0001'] },
        { profileUuid: 'sales-1', serials: ['DMPXL0ABJG5H'] },
      ],
      unassigned: [
        {
          serial_number: 'TVTVTVTV01',
          reason:
            'no device-level or group assignment, and the policy has no default profile for tvOS',
        },
      ],
      skipped: [],
    });
    expect(devices).toEqual(before);
    expect(planAssignments([...devices].reverse(), policy).batches).toEqual(plan.batches);
  });

  it('skips devices already on their resolved profile (ignoring case and dashes), unless removed', () => {
    const plan = planAssignments(
      [
        { serial_number: 'AAAAAAAA01', os: 'iOS', profile_uuid: 'IOS', profile_status: 'pushed' },
        { serial_number: 'AAAAAAAA02', os: 'OSX', profile_uuid: 'mac' },
        { serial_number: 'DMPXL0ABJG5H', os: 'iOS', profile_uuid: 'SALES1' },
        { serial_number: 'AAAAAAAA03', os: 'iOS', profile_uuid: 'IOS', profile_status: 'removed' },
        { serial_number: 'AAAAAAAA04', os: 'iOS', profile_uuid: 'OTHER' },
        { serial_number: 'AAAAAAAA05', os: 'iOS', profile_uuid: null },
      ],
      policy,
    );
    expect(plan.skipped).toEqual([
      { serial_number: 'AAAAAAAA01', profileUuid: 'IOS' },
      { serial_number: 'AAAAAAAA02', profileUuid: 'MAC' },
      { serial_number: 'DMPXL0ABJG5H', profileUuid: 'sales-1' },
    ]);
    expect(plan.batches).toEqual([
      { profileUuid: 'IOS', serials: ['AAAAAAAA03', 'AAAAAAAA04', 'AAAAAAAA05'] },
    ]);
  });

  it('never puts more than 1000 serials in a batch', () => {
    const devices = Array.from({ length: 2500 }, (_, i) => ({
      serial_number: serial(i),
      os: 'iOS',
    }));
    const plan = planAssignments(devices, policy);
    expect(plan.batches.map((b) => b.serials.length)).toEqual([1000, 1000, 500]);
    expect(plan.batches[0]?.serials[0]).toBe(serial(0));
    expect(plan.batches[2]?.serials.at(-1)).toBe(serial(2499));
    expect(MAX_SERIALS_PER_REQUEST).toBe(1000);
    expect(MAX_ASSIGN_BATCH).toBe(MAX_SERIALS_PER_REQUEST); // the deprecated alias
  });

  it('honours a smaller batchSize and rejects an out-of-range one', () => {
    const devices = Array.from({ length: 5 }, (_, i) => ({ serial_number: serial(i), os: 'iOS' }));
    expect(planAssignments(devices, compilePolicy(policy), { batchSize: 2 }).batches).toHaveLength(
      3,
    );
    for (const batchSize of [0, 1001, 1.5, Number.NaN]) {
      expect(() => planAssignments(devices, policy, { batchSize })).toThrow(InvalidArgumentError);
    }
  });

  it('plans a serial listed twice once, and reports records without a serial as unassigned', () => {
    const plan = planAssignments(
      [
        { serial_number: 'AAAAAAAA01', os: 'iOS' },
        { serial_number: 'aaaaaaaa01', os: 'OSX' },
        { serial_number: '', os: 'iOS' },
        { serial_number: 7 as unknown as string, os: 'iOS' },
      ],
      policy,
    );
    expect(plan.batches).toEqual([{ profileUuid: 'IOS', serials: ['AAAAAAAA01'] }]);
    expect(plan.unassigned.map((u) => u.serial_number)).toEqual(['', '']);
    expect(plan.unassigned[0]?.reason).toMatch(/no serial_number/);
  });

  it('accepts any iterable of devices', () => {
    function* gen() {
      yield { serial_number: 'AAAAAAAA01', os: 'iOS' };
    }
    expect(planAssignments(gen(), policy).batches).toEqual([
      { profileUuid: 'IOS', serials: ['AAAAAAAA01'] },
    ]);
  });
});
