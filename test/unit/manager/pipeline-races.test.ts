import { afterEach, describe, expect, it } from 'vitest';
import { type LeaseEvent, MemoryStorage, StorageError } from '../../../src/index.js';
import type { ApplyPageInput, ApplyPageResult } from '../../../src/storage/types.js';
import {
  assignedSerialCount,
  defineProfile,
  enroll,
  type Harness,
  harness,
  only,
  TEST_KEY,
} from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** A MemoryStorage whose n-th page apply runs `before` first. */
class HookedStorage extends MemoryStorage {
  applies = 0;
  constructor(
    readonly at: number,
    readonly before: (s: MemoryStorage, input: ApplyPageInput) => Promise<void>,
  ) {
    super({ encryptionKey: TEST_KEY });
  }
  override async applyPage(input: ApplyPageInput): Promise<ApplyPageResult> {
    this.applies += 1;
    if (this.applies === this.at) await this.before(this, input);
    return super.applyPage(input);
  }
}

describe('AbmManager page pipeline', () => {
  it('sends no further assignments once a page write finds the lease taken over', async () => {
    const storage = new HookedStorage(1, async (s, input) => {
      // Another replica takes the lease over while this page is being written.
      const held = await s.getLease(input.tokenId);
      if (held !== null) await s.releaseLease(input.tokenId, held.owner, held.generation);
      await s.acquireLease(input.tokenId, 'thief', 60_000);
    });
    h = await harness({ devices: 300, platforms: only('iPhone') }, { pageSize: 100 }, storage);
    await enroll(h, 't');
    const ios = await defineProfile(h.manager, 't', 'iOS');
    await h.manager.setPolicy('t', { osDefaults: { ios } });
    const lost: LeaseEvent[] = [];
    h.manager.on('lease.lost', (e) => void lost.push(e));

    const report = await h.manager.syncNow('t');
    expect(report.status).toBe('aborted');
    expect(report.error?.code).toBe('LEASE_LOST');
    expect(lost).toHaveLength(1);
    // Page 1 was assigned before its (refused) write; page 2 belongs to the new lease holder.
    expect(assignedSerialCount(h.sim)).toBe(100);
  });

  it('keeps the throttling of a page assigned while the previous page write failed', async () => {
    let sim: Harness['sim'] | undefined;
    const storage = new HookedStorage(1, async () => {
      // The first page's write fails only after the second page's assignments were answered.
      for (let i = 0; i < 500; i++) {
        if ((sim?.requests.filter((r) => r.endpoint === 'assignProfile').length ?? 0) >= 2) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      throw new StorageError('simulated write failure');
    });
    h = await harness(
      {
        devices: 200,
        platforms: only('iPhone'),
        throttle: { maxSerialsPerWindow: 100, windowMs: 3_600_000, retryAfterSeconds: 600 },
      },
      { pageSize: 100 },
      storage,
    );
    sim = h.sim;
    await enroll(h, 't');
    const ios = await defineProfile(h.manager, 't', 'iOS');
    await h.manager.setPolicy('t', { osDefaults: { ios } });

    const failed = await h.manager.syncNow('t');
    expect(failed.status).toBe('failed');
    expect(assignedSerialCount(h.sim)).toBe(200);
    const throttled = await storage.listRetries('t', { status: 'THROTTLED', limit: 1000 });
    expect(throttled.items).toHaveLength(100);

    // The next run re-reads both pages and waits out Apple's retry_after for the second one.
    const next = await h.manager.syncNow('t');
    expect(next.status).toBe('completed');
    expect(assignedSerialCount(h.sim)).toBe(200);
  });
});
