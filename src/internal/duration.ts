import { InvalidArgumentError } from '../errors/index.js';

/**
 * The largest delay Node timers (and ky's `timeout`, and `AbortSignal.timeout`) accept:
 * 2^31 - 1 ms, about 24.8 days. A larger delay is not an error in Node: the timer fires after
 * 1 ms instead, which turns a "once a month" schedule into a busy loop.
 * @internal
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** How {@link durationOption} checks one value. @internal */
export interface DurationRule {
  /** Smallest accepted value. @default 0 (exclusive unless `allowZero`) */
  min?: number;
  /** Accept `0`. @default false */
  allowZero?: boolean;
}

/**
 * The one check for every duration option (client and manager): a number of milliseconds that
 * is not NaN, not negative, at least `rule.min`, and, because it feeds a timer, clamped to
 * {@link MAX_TIMER_MS} (so `Infinity` means "as long as a timer can wait"). Anything else is an
 * `InvalidArgumentError` here rather than a `RangeError` or a 1 ms timer later.
 * @internal
 */
export function durationOption(
  value: unknown,
  fallback: number,
  name: string,
  rule: DurationRule = {},
): number {
  if (value === undefined) return Math.min(fallback, MAX_TIMER_MS);
  const min = rule.min ?? 0;
  const tooSmall =
    typeof value === 'number' &&
    (value < min || (value === 0 && rule.allowZero !== true) || (min === 0 && value < 0));
  if (typeof value !== 'number' || Number.isNaN(value) || tooSmall) {
    const floor = rule.allowZero === true || min > 0 ? `≥ ${min}` : '> 0';
    throw new InvalidArgumentError(
      `${name} must be a number of milliseconds ${floor} (got ${typeof value === 'number' ? String(value) : typeof value}).`,
    );
  }
  return Math.min(value, MAX_TIMER_MS);
}

/**
 * A delay safe to hand to `setTimeout`: non-negative, finite and at most {@link MAX_TIMER_MS}.
 * Used where a delay is computed (interval × jitter, lease TTL / 3), so that no sum of valid
 * options can overflow a timer.
 * @internal
 */
export function timerDelayMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(Math.floor(ms), MAX_TIMER_MS);
}
