/**
 * The transports a client can be given, for suites that must hold over both: the default
 * (`globalThis.fetch`) and `nodeHttpFetch()`.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { type NodeHttpFetch, nodeHttpFetch } from '../../src/index.js';

const TRANSPORTS: [string, () => NodeHttpFetch | undefined][] = [
  ['globalThis.fetch', () => undefined],
  ['nodeHttpFetch()', () => nodeHttpFetch()],
];

/**
 * Registers `tests` once per transport, in a `describe` named after it. `use` receives the
 * running block's fetch before its tests (`undefined`: the client's default) and `undefined`
 * after them; the fetch is closed then.
 */
export function overTransports(
  use: (fetch: NodeHttpFetch | undefined) => void,
  tests: () => void,
): void {
  describe.each(TRANSPORTS)('over %s', (_name, make) => {
    let made: NodeHttpFetch | undefined;
    beforeAll(() => {
      made = make();
      use(made);
    });
    afterAll(() => {
      made?.close();
      use(undefined);
    });
    tests();
  });
}
