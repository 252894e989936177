import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
