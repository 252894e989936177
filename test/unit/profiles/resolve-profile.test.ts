import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  PolicyValidationError,
  type ProfileDevice,
  type ProfilePolicy,
  resolveProfile,
  resolveProfiles,
} from '../../../src/index.js';
import { deepFreeze, snapshot } from './helpers.js';

const policy: ProfilePolicy = deepFreeze({
  devices: { c02xl0abjg5h: 'DEVICE-PROFILE' },
  groups: [
    { id: 'sales', profileUuid: 'SALES', serials: ['DMPXL0ABJG5H', 'F9FXL0ABJG5H'] },
    {
      id: 'execs',
      profileUuid: 'EXECS',
      serials: ['F9FXL0ABJG5H', 'C02XL0ABJG5H', 'GG7XL0ABJG5H'],
    },
    { id: 'vip', profileUuid: 'VIP', serials: ['GG7XL0ABJG5H'], priority: 10 },
  ],
  osDefaults: { ios: 'IOS', macos: 'MAC', tvos: 'TV', visionos: 'VISION' },
});

const device = (serial: string, os?: string | null, family?: string | null): ProfileDevice => ({
  serial_number: serial,
  os,
  device_family: family,
});

describe('resolveProfile', () => {
  it('a device-level assignment wins over groups (serial matched ignoring case/whitespace)', () => {
    expect(resolveProfile(device('C02XL0ABJG5H', 'OSX', 'Mac'), policy)).toEqual({
      profileUuid: 'DEVICE-PROFILE',
      source: 'device',
    });
    expect(resolveProfile(device(' c02x l0abjg5h '), policy).source).toBe('device');
  });

  it('then the earliest group, unless a later group has a higher priority; says which group', () => {
    expect(resolveProfile(device('F9FXL0ABJG5H', 'iOS', 'iPhone'), policy)).toEqual({
      profileUuid: 'SALES',
      source: 'group',
      groupId: 'sales',
    });
    expect(resolveProfile(device('GG7XL0ABJG5H'), policy)).toEqual({
      profileUuid: 'VIP',
      source: 'group',
      groupId: 'vip',
    });
    expect(resolveProfile(device('dmpxl0abjg5h'), policy)).toMatchObject({ groupId: 'sales' });
  });

  it('then the OS default; iPads use the iOS default when there is no iPadOS default', () => {
    expect(resolveProfile(device('AAAAAAAA01', 'iOS', 'iPad'), policy)).toEqual({
      profileUuid: 'IOS',
      source: 'os-default',
    });
    expect(resolveProfile(device('AAAAAAAA01', 'iPadOS', 'iPad'), policy).profileUuid).toBe('IOS');
    const withIpad = { ...policy, osDefaults: { ios: 'IOS', ipados: 'IPAD' } };
    expect(resolveProfile(device('AAAAAAAA01', 'iOS', 'iPad'), withIpad).profileUuid).toBe('IPAD');
    expect(resolveProfile(device('AAAAAAAA01', 'iOS', 'iPhone'), withIpad).profileUuid).toBe('IOS');
    expect(resolveProfile(device('AAAAAAAA01', 'OSX', 'Mac'), policy).profileUuid).toBe('MAC');
    expect(resolveProfile(device('AAAAAAAA01', 'tvOS'), policy).profileUuid).toBe('TV');
    expect(resolveProfile(device('AAAAAAAA01', null, 'Vision'), policy).profileUuid).toBe('VISION');
  });

  it('otherwise unassigned, with a specific reason', () => {
    const noMac = { osDefaults: { ios: 'IOS' } };
    expect(resolveProfile(device('AAAAAAAA01', 'OSX', 'Mac'), noMac)).toEqual({
      profileUuid: null,
      source: 'unassigned',
      reason:
        'no device-level or group assignment, and the policy has no default profile for macOS',
    });
    expect(
      resolveProfile(device('AAAAAAAA01', 'iPadOS'), { osDefaults: { macos: 'M' } }),
    ).toMatchObject({
      reason:
        'no device-level or group assignment, and the policy has no default profile for iPadOS (nor an iOS default, which also serves iPads)',
    });
    expect(resolveProfile(device('AAAAAAAA01', 'watchOS'), policy)).toMatchObject({
      reason:
        'no device-level or group assignment, and the policy has no default profile for watchOS',
    });
    expect(resolveProfile(device('AAAAAAAA01', 'PalmOS', null), policy)).toEqual({
      profileUuid: null,
      source: 'unassigned',
      reason:
        'no device-level or group assignment, and the operating system is unknown (os: "PalmOS", device_family: missing), so no OS default applies',
    });
    expect(resolveProfile(device('AAAAAAAA01'), policy)).toMatchObject({
      reason: expect.stringContaining('(os: missing, device_family: missing)'),
    });
  });

  it('a record without a usable serial is unassigned, never matched', () => {
    const reason = 'the device record has no serial_number, so no profile can be assigned to it';
    for (const serial of ['', '   ', undefined, 42]) {
      const record = { serial_number: serial, os: 'iOS' } as unknown as ProfileDevice;
      expect(resolveProfile(record, policy)).toEqual({
        profileUuid: null,
        source: 'unassigned',
        reason,
      });
    }
  });

  it('normalises lower-case or non-ASCII serials before lookup and misses cleanly', () => {
    expect(resolveProfile(device('zzzzzzzz99', 'iOS', 'iPhone'), policy).source).toBe('os-default');
    expect(resolveProfile(device('Ü1234567', 'iOS', 'iPhone'), policy).source).toBe('os-default');
  });

  it('accepts a compiled policy, is pure and deterministic, returns frozen results', () => {
    const compiled = compilePolicy(policy);
    const d = deepFreeze(device('F9FXL0ABJG5H', 'iOS', 'iPad'));
    const first = resolveProfile(d, compiled);
    expect(resolveProfile(d, compiled)).toEqual(first);
    expect(resolveProfile(d, policy)).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('throws PolicyValidationError for a malformed policy', () => {
    expect(() => resolveProfile(device('AAAAAAAA01'), { groups: 'x' } as never)).toThrow(
      PolicyValidationError,
    );
  });
});

describe('resolveProfiles', () => {
  const devices = deepFreeze([
    device('C02XL0ABJG5H', 'OSX', 'Mac'),
    device('GG7XL0ABJG5H', 'iOS', 'iPhone'),
    device('AAAAAAAA01', 'iOS', 'iPad'),
    device('AAAAAAAA02', 'xrOS'),
  ]);

  it('resolves a list in order, from an array or any iterable, without mutating it', () => {
    const before = snapshot(devices);
    const fromArray = resolveProfiles(devices, policy);
    expect(fromArray.map((r) => r.source)).toEqual(['device', 'group', 'os-default', 'unassigned']);
    expect(resolveProfiles(new Set(devices), compilePolicy(policy))).toEqual(fromArray);
    expect(devices).toEqual(before);
    expect(resolveProfiles([], policy)).toEqual([]);
  });
});
