import { describe, expect, it } from 'vitest';
import {
  compareOsVersions,
  decideMinimumOs,
  type MachineInfo,
  platformOf,
  softwareUpdateRequiredDocument,
} from '../../../src/enrollment/index.js';

const device = (over: Partial<MachineInfo> = {}): MachineInfo =>
  ({
    udid: 'U',
    serialNumber: 'S',
    product: 'iPhone15,2',
    build: '21E236',
    osVersion: '17.4',
    supplementalBuildVersion: undefined,
    supplementalOsVersionExtra: undefined,
    language: 'en',
    imei: undefined,
    meid: undefined,
    softwareUpdateDeviceId: undefined,
    pairingToken: undefined,
    canRequestSoftwareUpdate: true,
    canRequestPssoConfig: false,
    mandatorySoftwareUpdateRequired: false,
    raw: {},
    ...over,
  }) as MachineInfo;

describe('compareOsVersions', () => {
  it.each([
    ['17.4', '17.4', 0],
    ['17', '17.0.0', 0],
    ['17.4', '17.4 (a)', -1],
    ['17.4 (a)', '17.4 (b)', -1],
    ['17.4 (b)', '17.4.1', -1],
    ['17.10', '17.9', 1],
    ['18.0', '17.7.2 (c)', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareOsVersions(a, b) as number)).toBe(sign);
  });

  it('is undefined for non-versions', () => {
    expect(compareOsVersions('latest', '17.4')).toBeUndefined();
  });
});

describe('decideMinimumOs', () => {
  it('asks for an update only below the target', () => {
    expect(decideMinimumOs(device(), '17.4 (a)')).toEqual({
      action: 'update',
      platform: 'ios',
      target: { osVersion: '17.4 (a)' },
    });
    expect(
      decideMinimumOs(device({ supplementalOsVersionExtra: '(a)' }), '17.4 (a)'),
    ).toMatchObject({ action: 'allow', reason: 'up-to-date' });
    expect(decideMinimumOs(device(), { osVersion: '17.5', buildVersion: '21F79' })).toMatchObject({
      target: { buildVersion: '21F79' },
    });
  });

  it('never asks a device that cannot handle it, an unsupported platform, or an unknown version', () => {
    expect(decideMinimumOs(device({ canRequestSoftwareUpdate: false }), '18.0')).toMatchObject({
      action: 'allow',
      reason: 'device-cannot-update',
    });
    expect(decideMinimumOs(device({ product: 'AppleTV14,1' }), '18.0')).toMatchObject({
      action: 'allow',
      reason: 'platform-unsupported',
    });
    expect(decideMinimumOs(device({ product: 'Watch7,1' }), '18.0')).toMatchObject({
      reason: 'platform-unsupported',
    });
    expect(decideMinimumOs(device({ osVersion: undefined }), '18.0')).toMatchObject({
      reason: 'version-unknown',
    });
    expect(decideMinimumOs(device(), undefined)).toMatchObject({ reason: 'no-target' });
    expect(
      decideMinimumOs(device({ product: 'Mac14,3', osVersion: '14.2' }), '15.0'),
    ).toMatchObject({ action: 'update', platform: 'macos' });
  });

  it('maps products to platforms', () => {
    expect(['iPad13,18', 'VirtualMac2,1', 'RealityDevice14,1', 'Foo1,1'].map(platformOf)).toEqual([
      'ios',
      'macos',
      'visionos',
      'unknown',
    ]);
  });

  it("builds Apple's document", () => {
    expect(softwareUpdateRequiredDocument({ osVersion: '17.4 (a)' })).toEqual({
      code: 'com.apple.softwareupdate.required',
      details: { OSVersion: '17.4 (a)' },
    });
  });
});
