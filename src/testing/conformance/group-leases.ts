import assert from 'node:assert/strict';
import { dev, lease, rejectsWithCode, sleep } from './helpers.js';
import type { SuiteContext } from './suite-context.js';

/** Leases, fencing and cursor compare-and-set. @internal */
export function leaseTests({ it, describe, run, shortTtlMs }: SuiteContext): void {
  describe('leases', () => {
    it('grants a free lease, refuses another owner, re-grants to the holder with a new generation', async () => {
      await run(async ({ storage: s }) => {
        const a = await s.acquireLease('t1', 'A', 60_000);
        assert.ok(a !== null && a.generation >= 1 && a.owner === 'A');
        assert.ok(Date.parse(a.expiresAt) > Date.now() + 30_000);
        assert.equal(await s.acquireLease('t1', 'B', 60_000), null);
        const again = await s.acquireLease('t1', 'A', 60_000);
        assert.ok(again !== null && again.generation > a.generation);
        assert.deepEqual((await s.getLease('t1'))?.generation, again.generation);
        // another token is independent
        assert.notEqual(await s.acquireLease('t2', 'B', 60_000), null);
      });
    });

    it('renews only for the current owner and generation', async () => {
      await run(async ({ storage: s }) => {
        const a = await s.acquireLease('t1', 'A', 60_000);
        assert.ok(a);
        const r = await s.renewLease('t1', 'A', a.generation, 120_000);
        assert.equal(r.generation, a.generation);
        assert.ok(Date.parse(r.expiresAt) > Date.parse(a.expiresAt));
        await rejectsWithCode(s.renewLease('t1', 'B', a.generation, 1000), 'LEASE_LOST');
        await rejectsWithCode(s.renewLease('t1', 'A', a.generation + 1, 1000), 'LEASE_LOST');
      });
    });

    it('releases, keeps generations increasing after release', async () => {
      await run(async ({ storage: s }) => {
        const a = await s.acquireLease('t1', 'A', 60_000);
        assert.ok(a);
        assert.equal(await s.releaseLease('t1', 'B', a.generation), false);
        assert.equal(await s.releaseLease('t1', 'A', a.generation), true);
        assert.equal(await s.getLease('t1'), null);
        await rejectsWithCode(s.renewLease('t1', 'A', a.generation, 1000), 'LEASE_LOST');
        const b = await s.acquireLease('t1', 'B', 60_000);
        assert.ok(b !== null && b.generation > a.generation);
      });
    });

    it('lets another owner take over an expired lease; the paused holder is fenced off', async () => {
      await run(async ({ storage: s }) => {
        const a = await s.acquireLease('t1', 'A', shortTtlMs);
        assert.ok(a);
        await s.applyPage({
          tokenId: 't1',
          generation: a.generation,
          expectedCursor: null,
          nextCursor: 'c1',
          phase: 'full',
          devices: [dev('S1')],
        });
        await sleep(shortTtlMs + 100);
        assert.equal(await s.getLease('t1'), null);
        const b = await s.acquireLease('t1', 'B', 60_000);
        assert.ok(b !== null && b.generation > a.generation);
        await rejectsWithCode(s.renewLease('t1', 'A', a.generation, 1000), 'LEASE_LOST');
        await s.applyPage({
          tokenId: 't1',
          generation: b.generation,
          expectedCursor: 'c1',
          nextCursor: 'c2',
          phase: 'full',
          devices: [dev('S2')],
        });
        // A wakes up and tries to write with its old generation and old cursor
        await rejectsWithCode(
          s.applyPage({
            tokenId: 't1',
            generation: a.generation,
            expectedCursor: 'c1',
            nextCursor: 'stale',
            phase: 'full',
            devices: [dev('S3')],
          }),
          'LEASE_LOST',
        );
        assert.equal((await s.getCursor('t1'))?.cursor, 'c2');
        assert.equal(await s.getDevice('t1', 'S3'), null);
      });
    });

    it('gives a racing lease to exactly one of many owners', async () => {
      await run(async ({ storage: s }) => {
        const grants = await Promise.all(
          Array.from({ length: 12 }, (_, i) => s.acquireLease('race', `owner-${i}`, 60_000)),
        );
        const winners = grants.filter((g) => g !== null);
        assert.equal(winners.length, 1);
      });
    });
  });

  describe('cursor compare-and-set', () => {
    it('sets, conflicts on a wrong expected cursor, refuses a stale generation, resets', async () => {
      await run(async ({ storage: s }) => {
        assert.equal(await s.getCursor('t1'), null);
        const f = await lease(s, 't1');
        const c = await s.setCursor({
          ...f,
          expectedCursor: null,
          cursor: null,
          phase: 'full',
          fullFetchId: 'ff1',
        });
        assert.equal(c.phase, 'full');
        assert.equal(c.fullFetchId, 'ff1');
        const c2 = await s.setCursor({
          ...f,
          expectedCursor: null,
          cursor: 'A',
          phase: 'sync',
          lastFullFetchAt: '2025-03-01T00:00:00Z',
          fullFetchId: null,
        });
        assert.equal(c2.cursor, 'A');
        assert.equal(c2.fullFetchId, null);
        assert.equal(c2.lastFullFetchAt, '2025-03-01T00:00:00.000Z');
        await rejectsWithCode(
          s.setCursor({ ...f, expectedCursor: 'nope', cursor: 'B', phase: 'sync' }),
          'CURSOR_CONFLICT',
        );
        await rejectsWithCode(
          s.setCursor({ ...f, expectedCursor: null, cursor: 'B', phase: 'sync' }),
          'CURSOR_CONFLICT',
        );
        await rejectsWithCode(
          s.setCursor({
            tokenId: 't1',
            generation: f.generation + 7,
            expectedCursor: 'A',
            cursor: 'B',
            phase: 'sync',
          }),
          'LEASE_LOST',
        );
        await rejectsWithCode(
          s.setCursor({
            tokenId: 'other',
            generation: f.generation,
            expectedCursor: null,
            cursor: 'B',
            phase: 'sync',
          }),
          'LEASE_LOST',
        );
        assert.equal((await s.getCursor('t1'))?.cursor, 'A');
        await s.resetCursor('t1');
        const r = await s.getCursor('t1');
        assert.equal(r?.cursor, null);
        assert.equal(r?.phase, 'full');
        assert.equal(r?.lastFullFetchAt, '2025-03-01T00:00:00.000Z');
        await rejectsWithCode(
          s.setCursor({ ...f, expectedCursor: 'A', cursor: 'B', phase: 'sync' }),
          'CURSOR_CONFLICT',
        );
      });
    });

    it('lets exactly one of many concurrent page appliers advance the same cursor', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            s.applyPage({
              ...f,
              expectedCursor: null,
              nextCursor: `c${i}`,
              phase: 'sync',
              devices: [dev(`R${i}`)],
            }),
          ),
        );
        const ok = results.filter((r) => r.status === 'fulfilled');
        assert.equal(ok.length, 1);
        for (const r of results) {
          if (r.status === 'rejected')
            assert.equal((r.reason as { code?: string }).code, 'CURSOR_CONFLICT');
        }
        const list = await s.listDevices('t1');
        assert.equal(list.items.length, 1, 'only the winning page may be applied');
        assert.equal((await s.getCursor('t1'))?.cursor, `c${list.items[0]?.serialNumber.slice(1)}`);
      });
    });
  });
}
