import assert from 'node:assert/strict';
import { dev, lease, rejectsWithCode } from './helpers.js';
import type { SuiteContext } from './suite-context.js';

/**
 * Edge cases where adapters diverged: fencing of empty writes, merging of repeated patches,
 * token ids that look like another's encoding, malformed listing cursors. @internal
 */
export function edgeTests({ it, describe, run }: SuiteContext): void {
  describe('edge cases', () => {
    it('refuses a stale generation on updateDevices and recordAssignmentResults even with nothing to write', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await s.releaseLease('t1', 'owner-a', f.generation);
        await lease(s, 't1', 'owner-b');
        await rejectsWithCode(s.updateDevices('t1', [], f), 'LEASE_LOST');
        await rejectsWithCode(s.recordAssignmentResults('t1', [], f), 'LEASE_LOST');
        const none = { tokenId: 'no-lease', generation: 1 };
        await rejectsWithCode(s.updateDevices('no-lease', [], none), 'LEASE_LOST');
        await rejectsWithCode(s.recordAssignmentResults('no-lease', [], none), 'LEASE_LOST');
      });
    });

    it('merges repeated patches of one serial field by field (an undefined field changes nothing)', async () => {
      await run(async ({ storage: s }) => {
        const f = await lease(s, 't1');
        await s.applyPage({
          ...f,
          expectedCursor: null,
          nextCursor: 'c1',
          phase: 'sync',
          devices: [dev('A')],
        });
        const n = await s.updateDevices(
          't1',
          [
            { serialNumber: 'A', resolvedProfileUuid: 'P1', planRevision: 3 },
            { serialNumber: 'A', resolvedProfileUuid: undefined, assignedProfileUuid: 'P1' },
          ],
          f,
        );
        assert.equal(n, 1);
        const d = await s.getDevice('t1', 'A');
        assert.equal(d?.resolvedProfileUuid, 'P1');
        assert.equal(d?.planRevision, 3);
        assert.equal(d?.assignedProfileUuid, 'P1');
      });
    });

    it('keeps token ids apart whatever characters they use', async () => {
      await run(async ({ storage: s }) => {
        const ids = ['a{b}', `b64.${Buffer.from('a{b}').toString('base64url')}`, 'b64.', '{}'];
        for (const id of ids) await s.saveToken(id, { name: `name of ${id}` });
        for (const id of ids) assert.equal((await s.getToken(id))?.name, `name of ${id}`);
        const f = await lease(s, ids[0] as string);
        await s.applyPage({
          ...f,
          expectedCursor: null,
          nextCursor: 'c1',
          phase: 'sync',
          devices: [dev('S1')],
        });
        assert.equal(await s.getDevice(ids[1] as string, 'S1'), null);
        assert.equal(await s.getCursor(ids[1] as string), null);
        assert.equal(await s.getLease(ids[1] as string), null);
      });
    });

    it('reports invalid arguments as rejected promises, never as synchronous throws', async () => {
      await run(async ({ storage: s }) => {
        const calls: [string, () => Promise<unknown>][] = [
          ['getDevice', () => s.getDevice('', 'S1')],
          ['getDevices', () => s.getDevices('', ['S1'])],
          ['listDevices', () => s.listDevices('t1', { limit: 0 })],
          ['listRetries', () => s.listRetries('t1', { limit: -1 })],
          ['getCursor', () => s.getCursor('')],
          ['acquireLease', () => s.acquireLease('t1', '', 1000)],
          ['findDeviceBySerial', () => s.findDeviceBySerial('')],
          ['pruneSyncRuns', () => s.pruneSyncRuns('t1', -1)],
          ['deleteToken', () => s.deleteToken('')],
        ];
        for (const [name, call] of calls) {
          let promise: Promise<unknown> | undefined;
          try {
            promise = call();
          } catch {
            assert.fail(`${name} threw synchronously instead of returning a rejected promise`);
          }
          await rejectsWithCode(promise, 'INVALID_ARGUMENT');
        }
      });
    });

    it('refuses a malformed due-retries cursor with InvalidArgumentError', async () => {
      await run(async ({ storage: s }) => {
        const forged = (parts: unknown[]) =>
          Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
        for (const cursor of [
          'garbage',
          forged(['not a date', 'S1']),
          forged([12, 'S1']),
          forged(['2025-01-01T00:00:00.000Z', 5]),
        ]) {
          await rejectsWithCode(s.listDueRetries('t1', { cursor }), 'INVALID_ARGUMENT');
        }
      });
    });
  });
}
