import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../src/index.js';
import type { AbmLogger } from '../../../src/internal/logger.js';
import type { AbmStorage } from '../../../src/storage/types.js';
import { enroll, type Harness, harness, only, TEST_KEY } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/**
 * A store whose end-of-run writes fail (the rest works). `oneStep`: its one-step `endSyncRun`
 * fails; otherwise it has no one-step methods and its single end-of-run writes fail.
 */
function failingEndOfRun(inner: AbmStorage, oneStep: boolean): AbmStorage {
  const down = async () => {
    throw new Error('store unavailable');
  };
  return new Proxy(inner, {
    get(target, key) {
      if (oneStep && key === 'endSyncRun') return down;
      if (!oneStep && (key === 'endSyncRun' || key === 'beginSyncRun')) return undefined;
      if (key === 'finishSyncRun' || key === 'pruneSyncRuns') return down;
      if (key === 'updateToken') {
        return (tokenId: string, patch: Record<string, unknown>, expect: unknown) =>
          'lastSyncAt' in patch
            ? down()
            : target.updateToken?.(tokenId, patch as never, expect as never);
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('writes at the end of a run that fail', () => {
  it.each([
    ['the one-step end', true],
    ['the single writes of a store without the one-step end', false],
  ])(
    '(%s) are logged with what was lost; the run reports and the lease is free',
    async (_, oneStep) => {
      const warnings: string[] = [];
      const quiet = () => {};
      const logger: AbmLogger = {
        error: quiet,
        info: quiet,
        debug: quiet,
        warn: (a: unknown, b?: unknown) => void warnings.push(String(b ?? a)),
      };
      const inner = new MemoryStorage({ encryptionKey: TEST_KEY });
      const storage = failingEndOfRun(inner, oneStep);
      h = await harness({ devices: 3, platforms: only('iPhone') }, { logger }, storage);
      await enroll(h, 't');
      const report = await h.manager.syncNow('t');
      expect(report.status).toBe('completed');
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /could not store the end of the sync run \(the token's lastSyncAt.*the run record; pruning to keepSyncRuns\)/,
          ),
        ]),
      );
      // The lease does not stay held until it expires: the next run takes it.
      expect(await inner.getLease('t')).toBeNull();
      expect((await h.manager.syncNow('t')).status).toBe('completed');
    },
  );
});
