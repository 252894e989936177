import assert from 'node:assert/strict';
import type { AbmStorage, DeviceQuery } from '../../storage/types.js';
import { dev, lease, page, rejectsWithCode, serials } from './helpers.js';
import type { SuiteContext } from './suite-context.js';

async function all(s: AbmStorage, tokenId: string, q: DeviceQuery = {}): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const p = await s.listDevices(tokenId, { ...q, cursor });
    out.push(...p.items.map((d) => d.serialNumber));
    cursor = p.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

/** Device queries, plan/assignment fields, policy, retry queue, sync runs. @internal */
export function queryTests({ it, describe, run }: SuiteContext): void {
  describe('device queries', () => {
    it('pages listings by serial without gaps or repeats', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        const ss = serials('P', 250);
        await page(
          s,
          f,
          [...ss].reverse().map((x) => dev(x)),
        );
        const p1 = await s.listDevices('t1', { limit: 100 });
        assert.equal(p1.items.length, 100);
        assert.ok(p1.nextCursor);
        assert.deepEqual(await all(s, 't1', { limit: 100 }), ss);
        assert.deepEqual(await all(s, 't1', { limit: 250 }), ss);
        const last = await s.listDevices('t1', {
          limit: 50,
          cursor: (await s.listDevices('t1', { limit: 200 })).nextCursor ?? undefined,
        });
        assert.equal(last.items.length, 50);
        assert.equal(last.nextCursor, null);
        assert.deepEqual(
          await s
            .getDevices('t1', ['P00003', 'nope', 'P00001'])
            .then((d) => d.map((x) => x.serialNumber).sort()),
          ['P00001', 'P00003'],
        );
      });
    });

    it('records a served enrollment profile: status profile-served, below enrolled', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await page(s, f, [dev('PS', { profile_status: 'pushed', profile_uuid: 'p1' }), dev('PE')]);
        const at = '2025-06-01T00:00:00.000Z';
        assert.equal(
          await s.updateDevices('t1', [
            { serialNumber: 'PS', profileServedAt: at },
            { serialNumber: 'PE', profileServedAt: at, enrolledAt: at },
          ]),
          2,
        );
        const served = await s.getDevice('t1', 'PS');
        assert.equal(served?.status, 'profile-served');
        assert.equal(served?.profileServedAt, at);
        assert.equal((await s.getDevice('t1', 'PE'))?.status, 'enrolled');
        assert.deepEqual(await all(s, 't1', { status: 'profile-served' }), ['PS']);
        assert.equal((await s.countDevices('t1'))['profile-served'], 1);
        // A later page (Apple's record changes) keeps the served time and the status.
        await page(s, f, [
          dev('PS', { profile_status: 'pushed', profile_uuid: 'p1', color: 'red' }),
        ]);
        assert.equal((await s.getDevice('t1', 'PS'))?.status, 'profile-served');
        await s.updateDevices('t1', [{ serialNumber: 'PS', profileServedAt: null }]);
        assert.equal((await s.getDevice('t1', 'PS'))?.status, 'pushed');
      });
    });

    it('derives status and filters by status, resolution, pending assignment and plan revision', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await page(s, f, [
          dev('U1'),
          dev('U2'),
          dev('AS', { profile_status: 'assigned', profile_uuid: 'p1' }),
          dev('PU', { profile_status: 'pushed', profile_uuid: 'p1' }),
          dev('EN'),
          dev('RM'),
        ]);
        await page(s, f, [dev('RM', { op_type: 'deleted', op_date: '2025-01-01T00:00:00Z' })]);
        assert.equal(
          await s.updateDevices('t1', [
            { serialNumber: 'EN', enrolledAt: '2025-06-01T00:00:00Z' },
            { serialNumber: 'ghost', enrolledAt: '2025-06-01T00:00:00Z' },
          ]),
          1,
        );
        assert.deepEqual(await all(s, 't1', { status: 'unassigned' }), ['U1', 'U2']);
        assert.deepEqual(await all(s, 't1', { status: ['pushed', 'enrolled'] }), ['EN', 'PU']);
        assert.deepEqual(await all(s, 't1'), ['AS', 'EN', 'PU', 'U1', 'U2']);
        assert.deepEqual(await all(s, 't1', { includeRemoved: true }), [
          'AS',
          'EN',
          'PU',
          'RM',
          'U1',
          'U2',
        ]);
        assert.deepEqual(await s.countDevices('t1'), {
          unassigned: 2,
          assigned: 1,
          pushed: 1,
          'profile-served': 0,
          enrolled: 1,
          removed: 1,
        });
        assert.deepEqual(await all(s, 't1', { unresolved: true }), ['AS', 'EN', 'PU', 'U1', 'U2']);
        assert.deepEqual(await all(s, 't1', { planRevisionNot: 1 }), [
          'AS',
          'EN',
          'PU',
          'U1',
          'U2',
        ]);
        await s.updateDevices(
          't1',
          [
            { serialNumber: 'U1', resolvedProfileUuid: 'p1', planRevision: 1 },
            {
              serialNumber: 'U2',
              resolvedProfileUuid: null,
              unassignedReason: 'no OS default',
              planRevision: 1,
            },
            { serialNumber: 'AS', resolvedProfileUuid: 'p1', planRevision: 1 },
            { serialNumber: 'PU', resolvedProfileUuid: 'p2', planRevision: 2 },
          ],
          f,
        );
        assert.equal((await s.getDevice('t1', 'U2'))?.unassignedReason, 'no OS default');
        assert.deepEqual(await all(s, 't1', { unresolved: true }), ['EN', 'U2']);
        assert.deepEqual(await all(s, 't1', { planRevisionNot: 1 }), ['EN', 'PU']);
        assert.deepEqual(await all(s, 't1', { pendingAssignment: true }), ['PU', 'U1']);
        await rejectsWithCode(
          s.updateDevices('t1', [{ serialNumber: 'U1', planRevision: 9 }], {
            ...f,
            generation: f.generation + 1,
          }),
          'LEASE_LOST',
        );
        assert.equal((await s.getDevice('t1', 'U1'))?.planRevision, 1);
      });
    });

    it('finds a serial across tokens, live records first', async () => {
      await run(async ({ storage: s }) => {
        const f1 = await lease(s, 'old-token');
        const f2 = await lease(s, 'new-token');
        await page(s, f1, [dev('MOVED')]);
        await page(s, f1, [dev('MOVED', { op_type: 'deleted', op_date: '2025-01-01T00:00:00Z' })]);
        await page(s, f2, [dev('MOVED', { op_type: 'added', op_date: '2025-01-02T00:00:00Z' })]);
        const found = await s.findDeviceBySerial('MOVED');
        assert.deepEqual(
          found.map((d) => [d.tokenId, d.removed]),
          [
            ['new-token', false],
            ['old-token', true],
          ],
        );
        assert.deepEqual(await s.findDeviceBySerial('NOWHERE'), []);
      });
    });
  });

  describe('policy', () => {
    it('stores the policy as JSON and bumps the revision', async () => {
      await run(async ({ storage: s }) => {
        assert.equal(await s.getPolicy('t1'), null);
        const p = {
          osDefaults: { iOS: 'p-ios' },
          devices: { S1: 'p-x' },
          groups: [{ name: 'g', serials: ['S2'], profileUuid: 'p-g' }],
        };
        const r1 = await s.setPolicy('t1', p);
        assert.equal(r1.revision, 1);
        const r2 = await s.setPolicy('t1', { ...p, osDefaults: {} });
        assert.equal(r2.revision, 2);
        const got = await s.getPolicy('t1');
        assert.deepEqual(got?.policy, { ...p, osDefaults: {} });
        assert.equal(got?.revision, 2);
      });
    });
  });

  describe('assignments and retry queue', () => {
    it('records SUCCESS on the device, queues FAILED/THROTTLED until due, never retries NOT_ACCESSIBLE', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await page(
          s,
          f,
          ['OK', 'FA', 'TH', 'NA'].map((x) => dev(x)),
        );
        await s.updateDevices(
          't1',
          ['OK', 'FA', 'TH', 'NA'].map((x) => ({
            serialNumber: x,
            resolvedProfileUuid: 'p1',
            planRevision: 1,
          })),
        );
        const now = Date.parse(await s.now());
        const soon = new Date(now + 3_600_000).toISOString();
        const later = new Date(now + 86_400_000).toISOString();
        await s.recordAssignmentResults(
          't1',
          [
            {
              serialNumber: 'OK',
              profileUuid: 'p1',
              status: 'SUCCESS',
              at: '2025-07-01T00:00:00Z',
            },
            {
              serialNumber: 'FA',
              profileUuid: 'p1',
              status: 'FAILED',
              nextAttemptAt: soon,
              error: 'FAILED',
            },
            { serialNumber: 'TH', profileUuid: 'p1', status: 'THROTTLED', nextAttemptAt: later },
            { serialNumber: 'NA', profileUuid: 'p1', status: 'NOT_ACCESSIBLE' },
          ],
          f,
        );
        const ok = await s.getDevice('t1', 'OK');
        assert.equal(ok?.assignedProfileUuid, 'p1');
        assert.equal(ok?.assignedAt, '2025-07-01T00:00:00.000Z');
        assert.equal(ok?.status, 'assigned');
        assert.deepEqual(
          await all(s, 't1', { pendingAssignment: true }),
          [],
          'queued and assigned devices are not pending',
        );
        const retries = await s.listRetries('t1');
        assert.deepEqual(
          retries.items.map((r) => [r.serialNumber, r.status, r.attempts]),
          [
            ['FA', 'FAILED', 1],
            ['NA', 'NOT_ACCESSIBLE', 1],
            ['TH', 'THROTTLED', 1],
          ],
        );
        assert.equal(retries.items.find((r) => r.serialNumber === 'NA')?.nextAttemptAt, null);
        assert.equal((await s.listRetries('t1', { status: 'THROTTLED' })).items.length, 1);
        assert.equal((await s.listDueRetries('t1')).items.length, 0);
        const dueSoon = await s.listDueRetries('t1', {
          now: new Date(now + 3_700_000).toISOString(),
        });
        assert.deepEqual(
          dueSoon.items.map((r) => r.serialNumber),
          ['FA'],
        );
        const dueAll = await s.listDueRetries('t1', {
          now: new Date(now + 90_000_000).toISOString(),
        });
        assert.deepEqual(
          dueAll.items.map((r) => r.serialNumber),
          ['FA', 'TH'],
        );
        // a second failure increments attempts; a later success clears the entry
        await s.recordAssignmentResults('t1', [
          { serialNumber: 'FA', profileUuid: 'p1', status: 'FAILED', nextAttemptAt: later },
        ]);
        assert.equal(
          (await s.listRetries('t1')).items.find((r) => r.serialNumber === 'FA')?.attempts,
          2,
        );
        await s.recordAssignmentResults('t1', [
          { serialNumber: 'FA', profileUuid: 'p1', status: 'SUCCESS' },
        ]);
        assert.deepEqual(
          (await s.listRetries('t1')).items.map((r) => r.serialNumber),
          ['NA', 'TH'],
        );
        assert.equal(await s.deleteRetries('t1', ['TH', 'nope']), 1);
        assert.deepEqual(await all(s, 't1', { pendingAssignment: true }), ['TH']);
        await rejectsWithCode(
          s.recordAssignmentResults(
            't1',
            [{ serialNumber: 'OK', profileUuid: 'p1', status: 'SUCCESS' }],
            { ...f, generation: f.generation + 5 },
          ),
          'LEASE_LOST',
        );
        // removal clears the assignment
        await page(s, f, [dev('OK', { op_type: 'deleted', op_date: '2025-08-01T00:00:00Z' })]);
        assert.equal((await s.getDevice('t1', 'OK'))?.assignedProfileUuid, null);
      });
    });

    it('pages due retries in due-time order', async () => {
      await run(async ({ storage: s }) => {
        const base = Date.parse('2025-01-01T00:00:00Z');
        await s.recordAssignmentResults(
          't1',
          serials('Q', 25).map((x, i) => ({
            serialNumber: x,
            profileUuid: 'p',
            status: 'FAILED' as const,
            nextAttemptAt: new Date(base + (24 - i) * 1000 * (i % 2 === 0 ? 1 : 0)).toISOString(),
          })),
        );
        const got: string[] = [];
        const times: string[] = [];
        let cursor: string | undefined;
        do {
          const p = await s.listDueRetries('t1', { limit: 4, cursor, now: '2026-01-01T00:00:00Z' });
          got.push(...p.items.map((r) => r.serialNumber));
          times.push(...p.items.map((r) => r.nextAttemptAt as string));
          cursor = p.nextCursor ?? undefined;
        } while (cursor !== undefined);
        assert.equal(got.length, 25);
        assert.equal(new Set(got).size, 25);
        assert.deepEqual(times, [...times].sort());
      });
    });
  });

  describe('sync runs', () => {
    it('records runs, lists newest first with paging, prunes', async () => {
      await run(async ({ storage: s }) => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const r = await s.startSyncRun('t1', { owner: 'A' });
          assert.equal(r.status, 'running');
          ids.push(r.runId);
          await new Promise((res) => setTimeout(res, 3));
        }
        const done = await s.finishSyncRun('t1', ids[4] as string, {
          status: 'completed',
          report: { pages: 3, added: 10 },
        });
        assert.equal(done?.status, 'completed');
        assert.deepEqual(done?.report, { pages: 3, added: 10 });
        assert.ok(done?.finishedAt);
        await s.finishSyncRun('t1', ids[3] as string, {
          status: 'failed',
          error: { code: 'SERVER_ERROR', message: 'boom' },
        });
        assert.equal(await s.finishSyncRun('t1', 'unknown-run', { status: 'aborted' }), null);
        const p1 = await s.listSyncRuns('t1', { limit: 2 });
        assert.deepEqual(
          p1.items.map((r) => r.runId),
          [ids[4], ids[3]],
        );
        assert.equal(p1.items[1]?.error?.code, 'SERVER_ERROR');
        const p2 = await s.listSyncRuns('t1', { limit: 10, cursor: p1.nextCursor ?? undefined });
        assert.deepEqual(
          p2.items.map((r) => r.runId),
          [ids[2], ids[1], ids[0]],
        );
        assert.equal(await s.pruneSyncRuns('t1', 2), 3);
        assert.deepEqual(
          (await s.listSyncRuns('t1')).items.map((r) => r.runId),
          [ids[4], ids[3]],
        );
        assert.equal((await s.listSyncRuns('t2')).items.length, 0);
      });
    });
  });
}
