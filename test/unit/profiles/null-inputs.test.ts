import { describe, expect, it } from 'vitest';
import {
  deviceOs,
  isAbmError,
  parseSerialCsv,
  planAssignments,
  resolveProfile,
  resolveProfiles,
} from '../../../src/index.js';

// Regression: JavaScript callers (and JSON from a database) pass null where TypeScript says
// "optional"; these entry points threw a bare TypeError ("Cannot read properties of null")
// instead of using the defaults or throwing a typed AbmError.
describe('profiles entry points with null or non-iterable arguments', () => {
  it('null options mean the defaults', async () => {
    const plan = planAssignments(
      [{ serial_number: 'C02XL0ABJG5H', os: 'iOS' }],
      {
        osDefaults: { ios: 'P1' },
      },
      null as never,
    );
    expect(plan.batches).toEqual([{ profileUuid: 'P1', serials: ['C02XL0ABJG5H'] }]);
    const csv = await parseSerialCsv('serial\nC02XL0ABJG5H\n', null as never);
    expect(csv.serials).toEqual(['C02XL0ABJG5H']);
  });

  it('a null device record is unassigned, with the reason, not a crash', () => {
    expect(resolveProfile(null as never, { osDefaults: { ios: 'P1' } })).toMatchObject({
      profileUuid: null,
      source: 'unassigned',
      reason: expect.stringMatching(/no serial_number/),
    });
    const plan = planAssignments([null as never], { osDefaults: { ios: 'P1' } });
    expect(plan.unassigned).toEqual([
      { serial_number: '', reason: expect.stringMatching(/serial/) },
    ]);
    expect(deviceOs(null as never)).toBeUndefined();
  });

  it.each([null, undefined, 42, { serial_number: 'C02XL0ABJG5H' }])(
    'devices = %j is an INVALID_ARGUMENT error',
    (devices) => {
      for (const call of [
        () => resolveProfiles(devices as never, {}),
        () => planAssignments(devices as never, {}),
      ]) {
        let error: unknown;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(isAbmError(error) && error.code).toBe('INVALID_ARGUMENT');
        expect(String((error as Error).message)).toMatch(/devices must be an array/);
      }
    },
  );
});
