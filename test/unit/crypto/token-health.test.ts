import { describe, expect, it } from 'vitest';
import { tokenHealth } from '../../../src/crypto/index.js';
import { isAbmError } from '../../../src/errors/index.js';

const expiry = new Date('2026-01-17T11:02:21Z');
const token = { accessTokenExpiry: expiry };
const DAY = 86_400_000;
const at = (offsetMs: number) => ({ now: new Date(expiry.getTime() - offsetMs) });

describe('tokenHealth', () => {
  it('is valid well before expiry, with whole days left rounded down', () => {
    expect(tokenHealth(token, at(300 * DAY + 5_000))).toEqual({
      status: 'valid',
      expiresAt: expiry,
      daysLeft: 300,
    });
    expect(tokenHealth(token, at(30 * DAY + 1)).status).toBe('valid');
  });

  it('is renew-soon within 30 days (inclusive) by default', () => {
    expect(tokenHealth(token, at(30 * DAY))).toMatchObject({ status: 'renew-soon', daysLeft: 30 });
    expect(tokenHealth(token, at(DAY - 1))).toMatchObject({ status: 'renew-soon', daysLeft: 0 });
    expect(tokenHealth(token, at(1))).toMatchObject({ status: 'renew-soon', daysLeft: 0 });
  });

  it('is expired at and after the expiry instant, with zero or negative days', () => {
    expect(tokenHealth(token, at(0))).toMatchObject({ status: 'expired', daysLeft: 0 });
    expect(tokenHealth(token, at(-1))).toMatchObject({ status: 'expired', daysLeft: -1 });
    expect(tokenHealth(token, at(-DAY))).toMatchObject({ status: 'expired', daysLeft: -1 });
    expect(tokenHealth(token, at(-DAY - 1))).toMatchObject({ status: 'expired', daysLeft: -2 });
  });

  it('honours a custom renewal window, including zero', () => {
    expect(tokenHealth(token, { ...at(45 * DAY), renewWithinDays: 60 }).status).toBe('renew-soon');
    expect(tokenHealth(token, { ...at(DAY), renewWithinDays: 0 }).status).toBe('valid');
  });

  it('uses the current time when now is omitted', () => {
    const future = { accessTokenExpiry: new Date(Date.now() + 100 * DAY + 3_600_000) };
    expect(tokenHealth(future)).toMatchObject({ status: 'valid', daysLeft: 100 });
  });

  it('returns a copy of the expiry', () => {
    const health = tokenHealth(token, at(DAY));
    health.expiresAt.setFullYear(2000);
    expect(token.accessTokenExpiry.getUTCFullYear()).toBe(2026);
  });

  it('rejects invalid dates and windows', () => {
    const bad: [Parameters<typeof tokenHealth>[0], Parameters<typeof tokenHealth>[1]][] = [
      [{ accessTokenExpiry: new Date(Number.NaN) }, {}],
      [{ accessTokenExpiry: '2026-01-01' as unknown as Date }, {}],
      [token, { now: new Date(Number.NaN) }],
      [token, { renewWithinDays: -1 }],
      [token, { renewWithinDays: Number.NaN }],
    ];
    for (const [t, o] of bad) {
      expect(() => tokenHealth(t, o)).toThrow(
        expect.toSatisfy((e: unknown) => isAbmError(e, 'INVALID_ARGUMENT')),
      );
    }
  });
});
