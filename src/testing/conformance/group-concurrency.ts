import assert from 'node:assert/strict';
import { dev, lease, serials } from './helpers.js';
import type { SuiteContext } from './suite-context.js';

/** Many writers at once. @internal */
export function concurrencyTests({ it, describe, run }: SuiteContext): void {
  describe('concurrency', () => {
    it('keeps every write of many concurrent writers across tokens', async () => {
      await run(async ({ storage: s }) => {
        const tokens = Array.from({ length: 8 }, (_, i) => `cc-${i}`);
        await Promise.all(
          tokens.map(async (t) => {
            const f = await lease(s, t);
            let cursor: string | null = null;
            for (let p = 0; p < 4; p++) {
              const next = `${t}-c${p}`;
              await s.applyPage({
                ...f,
                expectedCursor: cursor,
                nextCursor: next,
                phase: 'full',
                devices: serials(`${t}-`, 25, p * 25).map((x) => dev(x)),
              });
              cursor = next;
            }
            await Promise.all([
              s.saveToken(t, { name: t }),
              s.setPolicy(t, { n: 1 }),
              s.putSession(t, { sessionToken: `s-${t}`, expiresAt: '2100-01-01T00:00:00.000Z' }),
              s.updateDevices(
                t,
                serials(`${t}-`, 100).map((x) => ({ serialNumber: x, planRevision: 1 })),
              ),
              s.startSyncRun(t),
            ]);
          }),
        );
        for (const t of tokens) {
          assert.equal((await s.countDevices(t)).unassigned, 100);
          assert.equal((await s.getCursor(t))?.cursor, `${t}-c3`);
          assert.equal((await s.getToken(t))?.name, t);
          assert.equal((await s.getSession(t))?.sessionToken, `s-${t}`);
          assert.equal((await s.listDevices(t, { planRevisionNot: 1 })).items.length, 0);
        }
      });
    });

    it('serialises concurrent updates of one record (no lost revision or attempt)', async () => {
      await run(async ({ storage: s }) => {
        await Promise.all(Array.from({ length: 20 }, (_, i) => s.setPolicy('t1', { i })));
        assert.equal((await s.getPolicy('t1'))?.revision, 20);
        await Promise.all(
          Array.from({ length: 15 }, () =>
            s.recordAssignmentResults('t1', [
              {
                serialNumber: 'S',
                profileUuid: 'p',
                status: 'FAILED',
                nextAttemptAt: '2030-01-01T00:00:00Z',
              },
            ]),
          ),
        );
        assert.equal((await s.listRetries('t1')).items[0]?.attempts, 15);
        await Promise.all(
          Array.from({ length: 10 }, (_, i) => s.saveToken('t1', { metadata: { i } })),
        );
        const meta = (await s.getToken('t1'))?.metadata;
        assert.ok(meta && typeof (meta as { i?: unknown }).i === 'number');
      });
    });

    it('has a now() in ISO form', async () => {
      await run(async ({ storage: s }) => {
        const n = await s.now();
        assert.ok(Math.abs(Date.parse(n) - Date.now()) < 60_000);
        assert.equal(new Date(n).toISOString(), n);
      });
    });
  });
}
