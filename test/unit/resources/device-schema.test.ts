import { describe, expect, it } from 'vitest';
import { adeDeviceSchema } from '../../../src/schemas/index.js';

describe('adeDeviceSchema', () => {
  it('accepts a sync record with v10 fields and keeps unknown fields', () => {
    const input = {
      serial_number: 'C02XXXXXXX01',
      model: 'MacBook Pro',
      description: 'MBP 13.3 SPACE GRAY',
      color: 'SPACE GRAY',
      profile_status: 'assigned',
      profile_uuid: 'C1F123098EB5074580041E69883004C3',
      device_assigned_date: '2024-01-02T03:04:05Z',
      os: 'OSX',
      device_family: 'Mac',
      op_type: 'added',
      op_date: '2024-01-02T03:04:05Z',
      imei: ['350000000000001'],
      is_replacement_device: false,
      some_future_field: { nested: true },
    };
    const d = adeDeviceSchema.parse(input);
    expect(d).toEqual(input);
    expect(d['some_future_field']).toEqual({ nested: true });
  });

  it('accepts unknown enum values and nulls (open unions, tolerant)', () => {
    const d = adeDeviceSchema.parse({
      serial_number: 'S1',
      os: 'watchOS',
      op_type: 'reassigned',
      asset_tag: null,
      ethernet_mac_address: 'aa:bb',
    });
    expect(d.os).toBe('watchOS');
    expect(d.op_type).toBe('reassigned');
  });

  it('requires a string serial_number', () => {
    expect(adeDeviceSchema.safeParse({ model: 'x' }).success).toBe(false);
    expect(adeDeviceSchema.safeParse({ serial_number: 5 }).success).toBe(false);
  });
});
