import assert from 'node:assert/strict';
import { dev, lease, page, rejectsWithCode, serials, testKey, withStore } from './helpers.js';
import type { SuiteContext } from './suite-context.js';

/** Atomic page apply, the op_date rule, crash injection, tenant isolation. @internal */
export function pageTests({ it, describe, run, factory }: SuiteContext): void {
  describe('applyPage', () => {
    it('upserts devices and advances the cursor, classifying added/modified/removed', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        const r1 = await s.applyPage({
          ...f,
          expectedCursor: null,
          nextCursor: 'c1',
          phase: 'full',
          fullFetchId: 'ff1',
          fetchedUntil: '2025-01-01T00:00:00Z',
          devices: [dev('A'), dev('B'), dev('C')],
        });
        assert.deepEqual(r1.added.sort(), ['A', 'B', 'C']);
        assert.equal(r1.cursor.cursor, 'c1');
        assert.equal(r1.cursor.phase, 'full');
        assert.equal(r1.cursor.fullFetchId, 'ff1');
        const r2 = await s.applyPage({
          ...f,
          expectedCursor: 'c1',
          nextCursor: 'c2',
          phase: 'sync',
          lastFullFetchAt: '2025-01-02T00:00:00Z',
          devices: [
            dev('A', { op_type: 'modified', op_date: '2025-02-01T00:00:00Z', color: 'SILVER' }),
            { serial_number: 'B', op_type: 'deleted', op_date: '2025-02-01T00:00:00Z' },
            dev('D', { op_type: 'modified', op_date: '2025-02-01T00:00:00Z' }),
          ],
        });
        assert.deepEqual(r2.modified, ['A']);
        assert.deepEqual(r2.removed, ['B']);
        assert.deepEqual(r2.added, ['D'], 'a modified device never seen counts as added');
        assert.equal(r2.cursor.lastFullFetchAt, '2025-01-02T00:00:00.000Z');
        const a = await s.getDevice('t1', 'A');
        assert.equal(a?.device.color, 'SILVER');
        assert.equal(a?.opType, 'modified');
        assert.equal(a?.opDate, '2025-02-01T00:00:00.000Z');
        assert.equal(a?.fullFetchId, 'ff1');
        const b = await s.getDevice('t1', 'B');
        assert.equal(b?.removed, true);
        assert.equal(b?.status, 'removed');
        assert.ok(b?.removedAt);
        assert.equal(b?.device.model, 'MacBook Air', 'history of a removed device is kept');
        assert.equal((await s.getCursor('t1'))?.cursor, 'c2');
        // re-added
        const r3 = await s.applyPage({
          ...f,
          expectedCursor: 'c2',
          nextCursor: 'c3',
          phase: 'sync',
          devices: [dev('B', { op_type: 'added', op_date: '2025-03-01T00:00:00Z' })],
        });
        assert.deepEqual(r3.added, ['B']);
        assert.equal((await s.getDevice('t1', 'B'))?.removed, false);
      });
    });

    it('writes page plans with the entries they belong to, and ignores the others', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await page(s, f, [
          dev('K', { op_type: 'added', op_date: '2025-05-01T00:00:00Z' }),
          dev('OLD', { op_type: 'added', op_date: '2025-05-01T00:00:00Z' }),
          dev('GONE', { op_type: 'added', op_date: '2025-05-01T00:00:00Z' }),
          dev('KEEP', { op_type: 'added', op_date: '2025-05-01T00:00:00Z' }),
        ]);
        await s.updateDevices('t1', [
          {
            serialNumber: 'K',
            resolvedProfileUuid: 'P0',
            planRevision: 1,
            assignedProfileUuid: 'P0',
            assignedAt: '2025-05-01T01:00:00Z',
          },
          { serialNumber: 'KEEP', resolvedProfileUuid: 'P0', planRevision: 1 },
        ]);
        const c = (await s.getCursor('t1'))?.cursor ?? null;
        const r = await s.applyPage({
          ...f,
          expectedCursor: c,
          nextCursor: 'n',
          phase: 'sync',
          devices: [
            dev('NEW', { op_type: 'added', op_date: '2025-05-02T00:00:00Z' }),
            dev('K', { op_type: 'modified', op_date: '2025-05-02T00:00:00Z' }),
            dev('OLD', { op_type: 'modified', op_date: '2025-04-01T00:00:00Z' }),
            { serial_number: 'GONE', op_type: 'deleted', op_date: '2025-05-02T00:00:00Z' },
            dev('KEEP', { op_type: 'modified', op_date: '2025-05-02T00:00:00Z', color: 'RED' }),
            dev('NONE', { op_type: 'added', op_date: '2025-05-02T00:00:00Z' }),
          ],
          plans: [
            {
              serialNumber: 'NEW',
              resolvedProfileUuid: 'P1',
              unassignedReason: null,
              planRevision: 2,
              assignedProfileUuid: 'P1',
              assignedAt: '2025-05-02T01:00:00Z',
            },
            {
              serialNumber: 'K',
              resolvedProfileUuid: 'P2',
              unassignedReason: null,
              planRevision: 2,
            },
            {
              serialNumber: 'OLD',
              resolvedProfileUuid: 'P3',
              unassignedReason: null,
              planRevision: 2,
            },
            {
              serialNumber: 'GONE',
              resolvedProfileUuid: 'P4',
              unassignedReason: null,
              planRevision: 2,
            },
            {
              serialNumber: 'NONE',
              resolvedProfileUuid: null,
              unassignedReason: 'no rule',
              planRevision: 2,
            },
            {
              serialNumber: 'ABSENT',
              resolvedProfileUuid: 'P5',
              unassignedReason: null,
              planRevision: 2,
            },
          ],
        });
        assert.deepEqual(r.added.sort(), ['NEW', 'NONE']);
        assert.deepEqual(r.skipped, ['OLD']);
        const got = new Map(
          (await s.getDevices('t1', ['NEW', 'K', 'OLD', 'GONE', 'KEEP', 'NONE', 'ABSENT'])).map(
            (d) => [d.serialNumber, d],
          ),
        );
        const nw = got.get('NEW');
        assert.equal(nw?.resolvedProfileUuid, 'P1');
        assert.equal(nw?.planRevision, 2);
        assert.equal(nw?.assignedProfileUuid, 'P1');
        assert.equal(nw?.assignedAt, '2025-05-02T01:00:00.000Z');
        assert.equal(nw?.status, 'assigned', 'a plan with an assignment makes the device assigned');
        const k = got.get('K');
        assert.equal(k?.resolvedProfileUuid, 'P2');
        assert.equal(k?.planRevision, 2);
        assert.equal(
          k?.assignedProfileUuid,
          'P0',
          'a plan without an assignment keeps the stored one',
        );
        assert.equal(
          got.get('OLD')?.planRevision ?? null,
          null,
          'a skipped entry ignores its plan',
        );
        assert.equal(got.get('GONE')?.removed, true);
        assert.equal(got.get('GONE')?.planRevision ?? null, null, 'a deletion ignores its plan');
        assert.equal(got.get('KEEP')?.resolvedProfileUuid, 'P0', 'no plan: plan fields kept');
        assert.equal(got.get('KEEP')?.device.color, 'RED');
        assert.equal(got.get('NONE')?.unassignedReason, 'no rule');
        assert.equal(got.get('NONE')?.status, 'unassigned');
        assert.equal(
          got.has('ABSENT'),
          false,
          'a plan for a serial not in the page creates nothing',
        );
        const unresolved = await s.listDevices('t1', { unresolved: true });
        assert.deepEqual(unresolved.items.map((d) => d.serialNumber).sort(), ['NONE', 'OLD']);
      });
    });

    it('applies the op_date rule: latest wins, older ones are skipped, duplicates in a page collapse', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await page(s, f, [
          dev('X', { op_type: 'added', op_date: '2025-05-01T10:00:00Z', color: 'NEW' }),
        ]);
        const c = (await s.getCursor('t1'))?.cursor ?? null;
        const r = await s.applyPage({
          ...f,
          expectedCursor: c,
          nextCursor: 'n',
          phase: 'sync',
          devices: [
            dev('X', { op_type: 'modified', op_date: '2025-04-01T10:00:00Z', color: 'OLD' }),
            dev('Y', { op_type: 'modified', op_date: '2025-05-03T00:00:00Z', color: 'Y3' }),
            dev('Y', { op_type: 'modified', op_date: '2025-05-01T00:00:00Z', color: 'Y1' }),
            dev('Z', { op_type: 'added', op_date: '2025-05-01T00:00:00Z', color: 'Z1' }),
            dev('Z', { op_type: 'modified', op_date: '2025-05-02T00:00:00Z', color: 'Z2' }),
          ],
        });
        assert.deepEqual(r.skipped, ['X']);
        assert.equal((await s.getDevice('t1', 'X'))?.device.color, 'NEW');
        assert.equal((await s.getDevice('t1', 'Y'))?.device.color, 'Y3');
        assert.equal((await s.getDevice('t1', 'Z'))?.device.color, 'Z2');
        // a fetch record (no op_date) is a snapshot: it applies and keeps the stored op_date
        await page(s, f, [dev('X', { color: 'FETCHED' })]);
        const x = await s.getDevice('t1', 'X');
        assert.equal(x?.device.color, 'FETCHED');
        assert.equal(x?.opDate, '2025-05-01T10:00:00.000Z');
        // same op_date re-applied: harmless
        await page(s, f, [
          dev('Y', { op_type: 'modified', op_date: '2025-05-03T00:00:00Z', color: 'Y3' }),
        ]);
        assert.equal((await s.getDevice('t1', 'Y'))?.device.color, 'Y3');
      });
    });

    it('re-applying an applied page is harmless', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        const devices = serials('RE', 20).map((x) => dev(x));
        await s.applyPage({ ...f, expectedCursor: null, nextCursor: 'c1', phase: 'full', devices });
        // a crash after commit but before the caller saw the result: the caller retries
        await rejectsWithCode(
          s.applyPage({ ...f, expectedCursor: null, nextCursor: 'c1', phase: 'full', devices }),
          'CURSOR_CONFLICT',
        );
        await s.applyPage({ ...f, expectedCursor: 'c1', nextCursor: 'c1', phase: 'full', devices });
        assert.equal((await s.listDevices('t1', { limit: 100 })).items.length, 20);
        assert.equal((await s.getCursor('t1'))?.cursor, 'c1');
      });
    });

    it('writes nothing when the lease is stale or the cursor moved', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await rejectsWithCode(
          s.applyPage({
            ...f,
            generation: f.generation + 1,
            expectedCursor: null,
            nextCursor: 'c',
            phase: 'full',
            devices: [dev('L1')],
          }),
          'LEASE_LOST',
        );
        await rejectsWithCode(
          s.applyPage({
            ...f,
            expectedCursor: 'wrong',
            nextCursor: 'c',
            phase: 'full',
            devices: [dev('L2')],
          }),
          'CURSOR_CONFLICT',
        );
        assert.equal(await s.getDevice('t1', 'L1'), null);
        assert.equal(await s.getDevice('t1', 'L2'), null);
        assert.equal(await s.getCursor('t1'), null);
      });
    });

    it('survives a crash injected between the device writes and the cursor write', async () => {
      let crash = false;
      await withStore(
        factory,
        {
          encryptionKey: testKey(),
          faultInjection: {
            betweenWrites: () => {
              if (crash) throw new Error('injected crash');
            },
          },
        },
        async ({ storage: s }) => {
          const f = await lease(s, 't1');
          await s.applyPage({
            ...f,
            expectedCursor: null,
            nextCursor: 'c0',
            phase: 'full',
            devices: [dev('K0')],
          });
          const before = await s.getDevice('t1', 'K0');
          crash = true;
          const devices = [
            dev('K0', { color: 'CHANGED' }),
            ...serials('K', 50, 1).map((x) => dev(x)),
          ];
          await assert.rejects(
            s.applyPage({ ...f, expectedCursor: 'c0', nextCursor: 'c1', phase: 'full', devices }),
          );
          assert.equal(
            (await s.getCursor('t1'))?.cursor,
            'c0',
            'the cursor must not move past unapplied devices',
          );
          if (s.capabilities.atomicPageApply) {
            assert.equal(
              await s.getDevice('t1', 'K00001'),
              null,
              'an atomic store shows none of the page',
            );
            assert.deepEqual(await s.getDevice('t1', 'K0'), before);
          }
          crash = false;
          await s.applyPage({
            ...f,
            expectedCursor: 'c0',
            nextCursor: 'c1',
            phase: 'full',
            devices,
          });
          assert.equal((await s.listDevices('t1', { limit: 1000 })).items.length, 51);
          assert.equal((await s.getDevice('t1', 'K0'))?.device.color, 'CHANGED');
          assert.equal((await s.getCursor('t1'))?.cursor, 'c1');
        },
      );
    });

    it('marks devices a completed full fetch did not deliver as removed', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await s.applyPage({
          ...f,
          expectedCursor: null,
          nextCursor: 'a',
          phase: 'full',
          fullFetchId: 'ff1',
          devices: serials('M', 5).map((x) => dev(x)),
        });
        await s.setCursor({
          ...f,
          expectedCursor: 'a',
          cursor: null,
          phase: 'full',
          fullFetchId: 'ff2',
        });
        await s.applyPage({
          ...f,
          expectedCursor: null,
          nextCursor: 'b',
          phase: 'sync',
          fullFetchId: 'ff2',
          devices: serials('M', 3).map((x) => dev(x)),
        });
        const removed = await s.markMissingRemoved({ ...f, fullFetchId: 'ff2' });
        assert.deepEqual(removed, ['M00003', 'M00004']);
        assert.equal((await s.getDevice('t1', 'M00004'))?.status, 'removed');
        assert.equal((await s.getDevice('t1', 'M00001'))?.status, 'unassigned');
        assert.deepEqual(await s.markMissingRemoved({ ...f, fullFetchId: 'ff2' }), []);
        await rejectsWithCode(
          s.markMissingRemoved({ ...f, generation: f.generation + 1, fullFetchId: 'x' }),
          'LEASE_LOST',
        );
      });
    });
  });

  describe('tenant isolation', () => {
    it('keeps tokens apart (same serials, cursors, policies, retries) and deletes one token entirely', async () => {
      await run(async ({ storage: s }) => {
        const f1 = await lease(s, 'ten-1');
        const f2 = await lease(s, 'ten-2');
        await s.saveToken('ten-1', { customerId: 'c1' });
        await s.saveToken('ten-2', { customerId: 'c2' });
        await s.applyPage({
          ...f1,
          expectedCursor: null,
          nextCursor: 'x1',
          phase: 'full',
          devices: [dev('SAME', { color: 'ONE' })],
        });
        await s.applyPage({
          ...f2,
          expectedCursor: null,
          nextCursor: 'x2',
          phase: 'full',
          devices: [dev('SAME', { color: 'TWO' }), dev('ONLY2')],
        });
        await s.setPolicy('ten-1', { osDefaults: { OSX: 'p1' } });
        await s.recordAssignmentResults('ten-2', [
          { serialNumber: 'SAME', profileUuid: 'p', status: 'NOT_ACCESSIBLE' },
        ]);
        assert.equal((await s.getDevice('ten-1', 'SAME'))?.device.color, 'ONE');
        assert.equal(await s.getDevice('ten-1', 'ONLY2'), null);
        assert.equal((await s.getCursor('ten-2'))?.cursor, 'x2');
        assert.equal(await s.getPolicy('ten-2'), null);
        assert.equal((await s.listRetries('ten-1')).items.length, 0);
        // a lease fence of one token never authorises writes to another
        await rejectsWithCode(
          s.applyPage({
            tokenId: 'ten-2',
            generation: f1.generation + 100,
            expectedCursor: 'x2',
            nextCursor: 'y',
            phase: 'sync',
            devices: [],
          }),
          'LEASE_LOST',
        );
        const found = await s.findDeviceBySerial('SAME');
        assert.deepEqual(found.map((d) => d.tokenId).sort(), ['ten-1', 'ten-2']);
        assert.equal(await s.deleteToken('ten-2'), true);
        assert.equal(await s.deleteToken('ten-2'), false);
        assert.equal(await s.getToken('ten-2'), null);
        assert.equal(await s.getCursor('ten-2'), null);
        assert.equal(await s.getDevice('ten-2', 'ONLY2'), null);
        assert.equal((await s.listRetries('ten-2')).items.length, 0);
        assert.deepEqual(
          (await s.findDeviceBySerial('SAME')).map((d) => d.tokenId),
          ['ten-1'],
        );
        assert.equal((await s.getPolicy('ten-1'))?.revision, 1);
        assert.equal((await s.getToken('ten-1'))?.customerId, 'c1');
      });
    });
  });
}
