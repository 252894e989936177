import { describe, expect, it } from 'vitest';
import { deviceOs } from '../../../src/index.js';

describe('deviceOs', () => {
  it.each([
    [{ os: 'iOS', device_family: 'iPhone' }, 'ios'],
    [{ os: 'iOS', device_family: 'iPod' }, 'ios'],
    [{ os: 'iOS', device_family: 'iPad' }, 'ipados'],
    [{ os: 'iPadOS', device_family: 'iPad' }, 'ipados'],
    [{ os: 'OSX', device_family: 'Mac' }, 'macos'],
    [{ os: 'macOS' }, 'macos'],
    [{ os: 'tvOS', device_family: 'AppleTV' }, 'tvos'],
    [{ os: 'visionOS', device_family: 'Vision' }, 'visionos'],
    [{ os: 'watchOS' }, 'watchos'],
    [{ os: 'ios', device_family: 'IPAD' }, 'ipados'],
    [{ os: ' Mac OS ' }, 'macos'],
    [{ os: null, device_family: 'iPad' }, 'ipados'],
    [{ device_family: 'AppleTV' }, 'tvos'],
    [{ os: 'xrOS', device_family: 'Vision' }, 'visionos'],
    [{ os: 'iOS' }, 'ios'],
  ] as const)('%o → %s', (fields, expected) => {
    expect(deviceOs(fields)).toBe(expected);
  });

  it('is undefined when neither field identifies the OS', () => {
    expect(deviceOs({})).toBeUndefined();
    expect(deviceOs({ os: 'PalmOS', device_family: 'Treo' })).toBeUndefined();
    expect(deviceOs({ os: null, device_family: null })).toBeUndefined();
  });
});
