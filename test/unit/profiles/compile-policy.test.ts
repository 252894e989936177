import { describe, expect, it } from 'vitest';
import {
  CompiledProfilePolicy,
  compilePolicy,
  isAbmError,
  PolicyValidationError,
  type ProfilePolicy,
} from '../../../src/index.js';
import { deepFreeze, snapshot, thrown } from './helpers.js';

function issuesOf(policy: unknown) {
  const error = thrown(() => compilePolicy(policy as ProfilePolicy));
  expect(error).toBeInstanceOf(PolicyValidationError);
  expect(isAbmError(error, 'POLICY_INVALID')).toBe(true);
  return (error as PolicyValidationError).issues;
}

describe('compilePolicy', () => {
  it('compiles a frozen policy without touching it and is idempotent on compiled input', () => {
    const policy = deepFreeze({
      devices: { c02xl0abjg5h: 'AAA' },
      groups: [
        { id: 'g', profileUuid: 'BBB', serials: ['DMPXL0ABJG5H'], priority: 2, name: 'Sales' },
      ],
      osDefaults: { ios: 'CCC' },
    });
    const before = snapshot(policy);
    const compiled = compilePolicy(policy);
    expect(compiled).toBeInstanceOf(CompiledProfilePolicy);
    expect(compiled.deviceCount).toBe(1);
    expect(compiled.groupCount).toBe(1);
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(compilePolicy(compiled)).toBe(compiled);
    expect(policy).toEqual(before);
  });

  it('accepts an empty policy', () => {
    expect(compilePolicy({}).deviceCount).toBe(0);
  });

  it('rejects a non-object policy', () => {
    for (const bad of [null, [], 'policy', 3]) {
      expect(issuesOf(bad)[0]?.path).toEqual([]);
    }
    expect(issuesOf(null)[0]?.message).toBe(
      'policy must be an object with devices, groups and/or osDefaults, got null',
    );
  });

  it('rejects unknown keys so typos never silently drop assignments', () => {
    expect(issuesOf({ group: [] })).toEqual([
      {
        path: ['group'],
        message: 'group is not a known key (expected one of: devices, groups, osDefaults)',
      },
    ]);
    expect(issuesOf({ osDefaults: { iOS: 'X' } })[0]?.path).toEqual(['osDefaults', 'iOS']);
    expect(
      issuesOf({ groups: [{ id: 'a', profileUuid: 'X', serials: [], prio: 1 }] })[0]?.path,
    ).toEqual(['groups', 0, 'prio']);
  });

  it('checks device-level entries: serial keys, UUID values, conflicting spellings', () => {
    const issues = issuesOf({
      devices: {
        short: 'X',
        C02XL0ABJG5H: 7,
        'c02x l0abjg5h': 'Y',
        DMPXL0ABJG5H: 'has space',
        DMPXL0ABJG6H: '',
      },
    });
    expect(issues.map((i) => i.message)).toEqual([
      'devices.short is not a valid serial number: too short: serial numbers have 8 to 14 characters, got 5',
      'devices.C02XL0ABJG5H must be a profile UUID string, got a number',
      'devices.c02x l0abjg5h is the same serial as devices["C02XL0ABJG5H"] with a different profile UUID',
      'devices.DMPXL0ABJG5H must be a profile UUID (1 to 64 letters, digits or dashes)',
      'devices.DMPXL0ABJG6H must be a profile UUID (1 to 64 letters, digits or dashes)',
    ]);
    expect(() =>
      compilePolicy({ devices: { C02XL0ABJG5H: 'A', c02xl0abjg5h: 'A' } }),
    ).not.toThrow();
    expect(issuesOf({ devices: ['C02XL0ABJG5H'] })[0]?.message).toMatch(
      /^devices must be an object/,
    );
  });

  it('checks groups: shape, ids (non-empty, unique), UUIDs, serials, priority, name', () => {
    const issues = issuesOf({
      groups: [
        'nope',
        { id: 'a', profileUuid: 'X', serials: ['C02XL0ABJG5H'] },
        { id: 'a', profileUuid: 5, serials: 'C02XL0ABJG5H' },
        { id: '', profileUuid: 'X', serials: [42, 'bad'], priority: Number.NaN, name: 3 },
        { id: 9, profileUuid: 'X', serials: [], priority: 'high' },
      ],
    });
    expect(issues.map((i) => i.message)).toEqual([
      'groups[0] must be an object with id, profileUuid and serials, got a string',
      'groups[2].id "a" is already the id of groups[1]; group ids must be unique',
      'groups[2].profileUuid must be a profile UUID string, got a number',
      'groups[2].serials must be an array of serial numbers, got a string',
      'groups[3].id must be a non-empty string, got an empty string',
      'groups[3].serials[0] must be a serial number string, got a number',
      'groups[3].serials[1] is not a valid serial number: too short: serial numbers have 8 to 14 characters, got 3',
      'groups[3].priority must be a finite number, got a number',
      'groups[3].name must be a string, got a number',
      'groups[4].id must be a non-empty string, got a number',
      'groups[4].priority must be a finite number, got a string',
    ]);
    expect(issues[1]?.path).toEqual(['groups', 2, 'id']);
    expect(issuesOf({ groups: {} })[0]?.message).toBe(
      'groups must be an array of groups, got an object',
    );
  });

  it('checks osDefaults values and shape', () => {
    expect(issuesOf({ osDefaults: { macos: 1, ios: undefined } })).toEqual([
      {
        path: ['osDefaults', 'macos'],
        message: 'osDefaults.macos must be a profile UUID string, got a number',
      },
    ]);
    expect(issuesOf({ osDefaults: 'X' })[0]?.message).toMatch(
      /^osDefaults must be an object mapping/,
    );
  });

  it('summarises long issue lists in the message and keeps all of them in issues', () => {
    const devices = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`S${i}`, 'X']));
    const error = thrown(() => compilePolicy({ devices })) as PolicyValidationError;
    expect(error.issues).toHaveLength(25);
    expect(error.message).toMatch(
      /^Profile policy is invalid \(25 problems\): .*; and 5 more\. Fix the policy; no device was resolved\.$/,
    );
    const single = thrown(() => compilePolicy({ devices: { S1: 'X' } })) as PolicyValidationError;
    expect(single.message).toMatch(/^Profile policy is invalid \(1 problem\): devices\.S1 /);
  });
});
