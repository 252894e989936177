import * as vitest from 'vitest';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../src/storage/index.js';
import { describeStorageConformance } from '../../../src/testing/index.js';

describeStorageConformance(
  'MemoryStorage',
  async (ctx) => {
    const storage = new MemoryStorage(ctx);
    return {
      storage,
      // Everything MemoryStorage holds, as it holds it (secrets sealed).
      rawDump: async () =>
        JSON.stringify((storage as unknown as { state: { toImage(): unknown } }).state.toImage()) +
        storage.apiAccounts.rawImage(),
      cleanup: () => storage.close(),
    };
  },
  { runner: vitest },
);

describe('MemoryStorage extras', () => {
  it('declares in-process capabilities', () => {
    const s = new MemoryStorage();
    expect(s.capabilities).toEqual({
      crossProcessLeases: false,
      atomicPageApply: true,
      ttl: false,
      persistent: false,
      endSyncRunCursor: true,
    });
  });

  it('uses the injected clock for lease expiry', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const s = new MemoryStorage({ clock: () => now });
    const a = await s.acquireLease('t', 'A', 1000);
    expect(a?.expiresAt).toBe('2025-01-01T00:00:01.000Z');
    now += 999;
    expect(await s.acquireLease('t', 'B', 1000)).toBeNull();
    now += 1;
    expect((await s.acquireLease('t', 'B', 1000))?.generation).toBe(2);
  });
});
