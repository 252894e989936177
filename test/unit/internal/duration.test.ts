import { describe, expect, it } from 'vitest';
import { AbmClient, isAbmError } from '../../../src/index.js';
import { durationOption, MAX_TIMER_MS, timerDelayMs } from '../../../src/internal/duration.js';
import { testToken } from '../../msw/fixtures.js';

describe('durationOption (every duration option goes through it)', () => {
  it('keeps valid values, uses the fallback, and clamps to what a Node timer can wait', () => {
    expect(durationOption(undefined, 500, 'x')).toBe(500);
    expect(durationOption(1500, 500, 'x')).toBe(1500);
    expect(durationOption(30 * 86_400_000, 500, 'x')).toBe(MAX_TIMER_MS);
    expect(durationOption(Number.POSITIVE_INFINITY, 500, 'x')).toBe(MAX_TIMER_MS);
    expect(durationOption(0, 500, 'x', { allowZero: true })).toBe(0);
    expect(durationOption(30, 500, 'x', { min: 30 })).toBe(30);
  });

  it('refuses NaN, negatives, zero (unless allowed), values under min, and non-numbers', () => {
    const bad: [unknown, Parameters<typeof durationOption>[3]][] = [
      [Number.NaN, {}],
      [-1, {}],
      [-1, { allowZero: true }],
      [0, {}],
      [29, { min: 30 }],
      ['1000', {}],
      [null, {}],
    ];
    for (const [value, rule] of bad) {
      let error: unknown;
      try {
        durationOption(value, 1, 'SomeClass option waitMs', rule);
      } catch (e) {
        error = e;
      }
      expect(isAbmError(error, 'INVALID_ARGUMENT'), String(value)).toBe(true);
      expect(String((error as Error).message)).toMatch(
        /^SomeClass option waitMs must be a number of milliseconds/,
      );
    }
  });

  it('timerDelayMs keeps computed delays inside 0..MAX_TIMER_MS', () => {
    expect(timerDelayMs(-5)).toBe(0);
    expect(timerDelayMs(Number.NaN)).toBe(0);
    expect(timerDelayMs(12.7)).toBe(12);
    expect(timerDelayMs(1e13)).toBe(MAX_TIMER_MS);
  });

  it('the client validates its retry delays with it', () => {
    const make = (retry: Record<string, number>) => () =>
      new AbmClient({ token: testToken(), retry });
    expect(make({ baseDelayMs: -1 })).toThrowError(/retry\.baseDelayMs/);
    expect(make({ maxDelayMs: Number.NaN })).toThrowError(/retry\.maxDelayMs/);
    expect(make({ maxRetryAfterMs: -5 })).toThrowError(/retry\.maxRetryAfterMs/);
    expect(make({ baseDelayMs: 0, maxRetryAfterMs: 1e13 })).not.toThrow();
    expect(() => new AbmClient({ token: testToken(), timeoutMs: 0 })).toThrowError(/timeoutMs/);
  });
});
