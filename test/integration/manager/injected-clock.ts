import type { AbmStorage } from '../../../src/storage/types.js';

/** A store whose clock the test moves by hand, the same clock for the manager, and the hand. */
export interface ClockedStore {
  storage: AbmStorage;
  /** The same instant as the store's clock, for the manager's `now` option (the manager's one clock). */
  now(): Date;
  /** Moves the clock forward. */
  advance(ms: number): void;
}

/**
 * Wraps a real store so that its clock (`now()`, and the default `now` of `listDueRetries`) is a
 * test-controlled instant instead of the wall clock (PostgreSQL and Redis read the server's).
 * Every other call goes to the real store unchanged. Due times then depend on what the test
 * says, not on how long a loaded machine took between two runs.
 */
export function withInjectedClock(
  inner: AbmStorage,
  start = Date.parse('2030-01-01T00:00:00.000Z'),
): ClockedStore {
  let nowMs = start;
  const iso = (): string => new Date(nowMs).toISOString();
  const storage = new Proxy(inner, {
    get(target, key) {
      if (key === 'now') return async () => iso();
      if (key === 'listDueRetries') {
        return (tokenId: string, query: Parameters<AbmStorage['listDueRetries']>[1] = {}) =>
          target.listDueRetries(tokenId, { ...query, now: query?.now ?? iso() });
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    storage,
    now: () => new Date(nowMs),
    advance: (ms) => {
      nowMs += ms;
    },
  };
}
