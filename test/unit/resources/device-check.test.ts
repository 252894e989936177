import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDeviceListResponse } from '../../../src/resources/device-list-check.js';
import { isAdeDevice } from '../../../src/schemas/device-check.js';
import { adeDeviceSchema, deviceListResponseSchema } from '../../../src/schemas/index.js';

const FIELDS = [
  'serial_number',
  'model',
  'os',
  'op_type',
  'asset_tag',
  'imei',
  'meid',
  'is_replacement_device',
  'ethernet_mac_address',
  'unknown_field',
];
const anyValue = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.integer(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 2 }),
);

describe('isAdeDevice (fast page check)', () => {
  it('agrees with adeDeviceSchema on arbitrary records', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.dictionary(fc.constantFrom(...FIELDS), anyValue),
          fc.record({ serial_number: fc.string() }, { requiredKeys: [] }),
          anyValue,
        ),
        (value) => {
          expect(isAdeDevice(value)).toBe(adeDeviceSchema.safeParse(value).success);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('lets the page schema report the precise path of a bad device', () => {
    const result = deviceListResponseSchema.safeParse({
      devices: [{ serial_number: 'A' }, { serial_number: 'B', os: 7 }],
      cursor: 'c',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['devices', 1, 'os']]);
    expect(deviceListResponseSchema.safeParse({ devices: 'nope' }).success).toBe(false);
    expect(deviceListResponseSchema.safeParse({ devices: null }).success).toBe(true);
  });
});

describe('isDeviceListResponse (fast page check)', () => {
  const device = fc.oneof(
    fc.record({ serial_number: fc.string(), os: fc.constantFrom('iOS', 'OSX') }),
    fc.dictionary(fc.constantFrom(...FIELDS), anyValue),
  );
  const pageField = fc.oneof(
    anyValue,
    fc.array(device, { maxLength: 3 }),
    fc.array(anyValue, { maxLength: 2 }),
  );
  const PAGE_FIELDS = ['devices', 'cursor', 'more_to_follow', 'fetched_until', 'other'];

  it('agrees with deviceListResponseSchema on arbitrary pages', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.dictionary(fc.constantFrom(...PAGE_FIELDS), pageField),
          fc.record(
            {
              devices: fc.array(device, { maxLength: 3 }),
              cursor: fc.option(fc.string()),
              more_to_follow: fc.option(fc.boolean()),
            },
            { requiredKeys: [] },
          ),
          pageField,
        ),
        (value) => {
          expect(isDeviceListResponse(value)).toBe(
            deviceListResponseSchema.safeParse(value).success,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('accepts a page as it is and refuses a bad device anywhere on it', () => {
    const page = { devices: [{ serial_number: 'A', extra: 1 }], cursor: 'c', more_to_follow: true };
    expect(isDeviceListResponse(page)).toBe(true);
    expect(
      isDeviceListResponse({ ...page, devices: [...page.devices, { serial_number: 7 }] }),
    ).toBe(false);
    expect(isDeviceListResponse({ ...page, more_to_follow: 'yes' })).toBe(false);
    expect(isDeviceListResponse(undefined)).toBe(false);
  });
});
