/**
 * The simulator's injectable clock.
 *
 * @internal
 * @module
 */
import type { SimClock } from './types.js';

/** @internal Epoch ms of a clock source (`Date.now` when absent). */
export function sourceClock(source: (() => number | Date) | undefined): () => number {
  return () => {
    const value = source ? source() : Date.now();
    return value instanceof Date ? value.getTime() : value;
  };
}

/** @internal A clock over a base source plus an offset moved by `advance` and `set`. */
export function createClock(source: (() => number | Date) | undefined): SimClock {
  const base = sourceClock(source);
  let offset = 0;
  return {
    now: () => base() + offset,
    advance(ms: number) {
      offset += ms;
    },
    set(time: Date | number) {
      offset = (time instanceof Date ? time.getTime() : time) - base();
    },
  };
}
