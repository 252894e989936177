import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../src/index.js';
import type { AbmLogger } from '../../../src/internal/logger.js';
import type { AbmStorage } from '../../../src/storage/types.js';
import { enroll, type Harness, harness, only, TEST_KEY } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** A store whose end-of-run writes fail (the rest works). */
function failingEndOfRun(inner: AbmStorage): AbmStorage {
  const down = async () => {
    throw new Error('store unavailable');
  };
  return new Proxy(inner, {
    get(target, key) {
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
  it('are logged with what was lost, and the run still reports', async () => {
    const warnings: string[] = [];
    const quiet = () => {};
    const logger: AbmLogger = {
      error: quiet,
      info: quiet,
      debug: quiet,
      warn: (a: unknown, b?: unknown) => void warnings.push(String(b ?? a)),
    };
    const storage = failingEndOfRun(new MemoryStorage({ encryptionKey: TEST_KEY }));
    h = await harness({ devices: 3, platforms: only('iPhone') }, { logger }, storage);
    await enroll(h, 't');
    const report = await h.manager.syncNow('t');
    expect(report.status).toBe('completed');
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/could not store the token's sync outcome \(lastSyncAt/),
        expect.stringMatching(/could not store the end of the sync run/),
        expect.stringMatching(/could not prune old sync runs/),
      ]),
    );
  });
});
