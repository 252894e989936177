import assert from 'node:assert/strict';
import { beginRunByParts, summarizeByParts, unresolvedSample } from '../../storage/run-bracket.js';
import type { AbmStorage, BeginSyncRunInput } from '../../storage/types.js';
import { dev, lease, page, sleep } from './helpers.js';
import type { SuiteContext } from './suite-context.js';

const NOW = '2030-01-01T00:00:00.000Z';

/** `beginSyncRun` of a store that has it (without `skipIfSyncedWithin`: never 'recently-synced'). */
async function begin(s: AbmStorage, input: Partial<BeginSyncRunInput> = {}) {
  const out = await s.beginSyncRun?.({
    tokenId: 't1',
    owner: 'A',
    ttlMs: 60_000,
    now: NOW,
    ...input,
  });
  assert.notEqual(out, 'recently-synced');
  assert.notEqual(out, 'token-changed');
  return out === 'recently-synced' || out === 'token-changed' ? undefined : out;
}

/**
 * What `beginSyncRun` reads (cursor, policy, counts, pending work) beside what the single
 * methods find (`beginRunByParts`); each takes and releases the lease.
 */
async function bothReads(s: AbmStorage, now = NOW) {
  const input = { tokenId: 't1', owner: 'A', ttlMs: 60_000, now };
  const reads = async (start: Promise<Awaited<ReturnType<typeof beginRunByParts>> | undefined>) => {
    const r = await start;
    assert.ok(r && r !== 'recently-synced' && r !== 'token-changed');
    await s.releaseLease('t1', 'A', r.lease.generation);
    return { cursor: r.cursor, policy: r.policy, devices: r.devices, pending: r.pending };
  };
  const oneStep = await begin(s, { now });
  // The unresolved devices are optional in the answer: where given, they are the listing's.
  if (oneStep?.unresolved !== undefined) {
    assert.deepEqual(oneStep.unresolved, await unresolvedSample(s, 't1'));
  }
  // So is the one-step summary of a run's end.
  if (s.summarizeDevices !== undefined) {
    assert.deepEqual(await s.summarizeDevices('t1'), await summarizeByParts(s, 't1'));
  }
  return {
    oneStep: await reads(Promise.resolve(oneStep)),
    byParts: await reads(beginRunByParts(s, input)),
  };
}

/** A sync run's one-step start and end (`beginSyncRun`, `endSyncRun`), where a store has them. @internal */
export function runBracketTests({ it, describe, run }: SuiteContext): void {
  describe('one-step run start and end', () => {
    it('begins a run: the lease, a running record, and what the single reads return', async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined) return;
        const f = await lease(s, 't1', 'A');
        await page(s, { ...f, owner: 'A' }, [dev('S1'), dev('S2', { profile_status: 'pushed' })]);
        const policy = await s.setPolicy('t1', { osDefaults: { OSX: 'p1' } });
        await s.releaseLease('t1', 'A', f.generation);
        const started = await begin(s);
        assert.ok(started);
        assert.equal(started.lease.owner, 'A');
        assert.ok(started.lease.generation > f.generation);
        assert.equal((await s.getLease('t1'))?.generation, started.lease.generation);
        assert.equal(started.run.status, 'running');
        assert.equal(started.run.owner, 'A');
        assert.deepEqual(
          (await s.listSyncRuns('t1')).items.map((r) => r.runId),
          [started.run.runId],
        );
        assert.deepEqual(started.cursor, await s.getCursor('t1'));
        assert.deepEqual(started.policy, policy);
        assert.deepEqual(started.devices, await s.countDevices('t1'));
        // Both devices were stored without a plan: they wait for one (and none is assignable).
        assert.deepEqual(started.pending, {
          replan: true,
          assign: false,
          retries: false,
          dueRetries: false,
        });
      });
    });

    it('reads the stored session with the start, where it does, as getSession finds it', async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined) return;
        const none = await begin(s);
        assert.ok(none);
        if (none.session !== undefined) assert.equal(none.session, null);
        await s.releaseLease('t1', 'A', none.lease.generation);
        await s.putSession('t1', {
          sessionToken: 'session-secret-1',
          expiresAt: new Date(Date.parse(await s.now()) + 600_000).toISOString(),
        });
        const stored = await begin(s);
        assert.ok(stored);
        if (stored.session !== undefined) {
          assert.deepEqual(stored.session, await s.getSession('t1'));
          assert.equal(stored.session?.sessionToken, 'session-secret-1');
        }
        await s.releaseLease('t1', 'A', stored.lease.generation);
      });
    });

    it('says which stored work waits, as the queries that find it would', async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined) return;
        const f = await lease(s, 't1', 'A');
        await s.applyPage({
          ...f,
          expectedCursor: null,
          nextCursor: 'c1',
          phase: 'sync',
          devices: [dev('S1'), dev('S2'), dev('S3')],
          plans: [
            {
              serialNumber: 'S1',
              planRevision: 0,
              resolvedProfileUuid: 'p1',
              unassignedReason: null,
            },
            {
              serialNumber: 'S2',
              planRevision: 0,
              resolvedProfileUuid: null,
              unassignedReason: 'x',
            },
            {
              serialNumber: 'S3',
              planRevision: 0,
              resolvedProfileUuid: null,
              unassignedReason: 'x',
            },
          ],
        });
        await s.releaseLease('t1', 'A', f.generation);
        // S1 is planned for the current revision (0: no policy) and waits for its assignment.
        const first = await begin(s);
        assert.deepEqual(first?.pending, {
          replan: false,
          assign: true,
          retries: false,
          dueRetries: false,
        });
        await s.releaseLease('t1', 'A', first?.lease.generation ?? 0);
        // A queued retry (not due before NOW, then due) replaces the pending assignment.
        await s.recordAssignmentResults('t1', [
          { serialNumber: 'S1', profileUuid: 'p1', status: 'FAILED', nextAttemptAt: NOW },
        ]);
        const notDue = await begin(s, { now: '2029-12-31T23:59:59.999Z' });
        assert.deepEqual(notDue?.pending, {
          replan: false,
          assign: false,
          retries: true,
          dueRetries: false,
        });
        await s.releaseLease('t1', 'A', notDue?.lease.generation ?? 0);
        assert.equal((await begin(s))?.pending.dueRetries, true);
      });
    });

    it('reads what the single methods find after every kind of write', async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined) return;
        // Each check takes and releases the lease: every write takes it again.
        const fence = async () => ({ ...(await lease(s, 't1', 'A')), owner: 'A' });
        const same = async (now = NOW) => {
          const { oneStep, byParts } = await bothReads(s, now);
          assert.deepEqual(oneStep, byParts);
          return oneStep.pending;
        };
        const plan = (serialNumber: string, resolved: string | null) => ({
          serialNumber,
          planRevision: 0,
          resolvedProfileUuid: resolved,
          unassignedReason: resolved === null ? 'x' : null,
        });
        assert.deepEqual(await same(), {
          replan: false,
          assign: false,
          retries: false,
          dueRetries: false,
        });
        await s.applyPage({
          ...(await fence()),
          expectedCursor: null,
          nextCursor: 'c1',
          phase: 'full',
          fullFetchId: 'ff1',
          devices: [dev('S1'), dev('S2'), dev('S3', { profile_uuid: 'p1' })],
          plans: [plan('S1', 'p1'), plan('S2', null), plan('S3', 'p1')],
        });
        // S3 already has its profile at Apple: only S1 waits for an assignment.
        assert.deepEqual(await same(), {
          replan: false,
          assign: true,
          retries: false,
          dueRetries: false,
        });
        await s.setPolicy('t1', { osDefaults: { OSX: 'p1' } });
        assert.equal((await same()).replan, true);
        await s.updateDevices(
          't1',
          ['S1', 'S2', 'S3'].map((serialNumber) => ({ serialNumber, planRevision: 1 })),
          await fence(),
        );
        assert.equal((await same()).replan, false);
        // A revision other than the policy's, newer included, also asks for a replan.
        await s.updateDevices('t1', [{ serialNumber: 'S2', planRevision: 2 }], await fence());
        assert.equal((await same()).replan, true);
        await s.updateDevices('t1', [{ serialNumber: 'S2', planRevision: 1 }], await fence());
        assert.equal((await same()).replan, false);
        await s.recordAssignmentResults(
          't1',
          [{ serialNumber: 'S1', profileUuid: 'p1', status: 'FAILED', nextAttemptAt: NOW }],
          await fence(),
        );
        assert.deepEqual(await same('2029-01-01T00:00:00.000Z'), {
          replan: false,
          assign: false,
          retries: true,
          dueRetries: false,
        });
        assert.equal((await same()).dueRetries, true);
        assert.equal(await s.deleteRetries('t1', ['S1']), 1);
        assert.deepEqual(await same(), {
          replan: false,
          assign: true,
          retries: false,
          dueRetries: false,
        });
        await s.recordAssignmentResults(
          't1',
          [{ serialNumber: 'S1', profileUuid: 'p1', status: 'SUCCESS' }],
          await fence(),
        );
        assert.equal((await same()).assign, false);
        // A device plan of another revision, then its removal: removed devices wait for nothing.
        await s.updateDevices('t1', [{ serialNumber: 'S2', planRevision: null }], await fence());
        assert.equal((await same()).replan, true);
        const h = await fence();
        await s.applyPage({
          ...h,
          expectedCursor: 'c1',
          nextCursor: 'c2',
          phase: 'full',
          fullFetchId: 'ff2',
          devices: [dev('S1'), dev('S3', { profile_uuid: 'p1' })],
        });
        await s.markMissingRemoved({ ...h, fullFetchId: 'ff2' });
        assert.equal((await s.getDevice('t1', 'S2'))?.removed, true);
        assert.equal((await same()).replan, false);
      });
    });

    it('starts nothing for a token synced within skipIfSyncedWithin (judged with the lease)', async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined) return;
        await s.saveToken('t1', { lastSyncAt: '2029-12-31T23:59:00.000Z' });
        const input = { tokenId: 't1', owner: 'A', ttlMs: 60_000, now: NOW };
        const around = { from: '2029-12-31T23:58:00.000Z', to: '2030-01-01T00:01:00.000Z' };
        for (const one of [
          s.beginSyncRun({ ...input, skipIfSyncedWithin: around }),
          beginRunByParts(s, { ...input, skipIfSyncedWithin: around }),
          // Stamped after the caller's now (a run that ended while this call waited): recent too.
          s.beginSyncRun({
            ...input,
            now: '2029-12-31T23:58:30.000Z',
            skipIfSyncedWithin: { from: '2029-12-31T23:58:00.000Z', to: NOW },
          }),
        ]) {
          assert.equal(await one, 'recently-synced');
        }
        assert.equal(await s.getLease('t1'), null);
        assert.equal((await s.listSyncRuns('t1')).items.length, 0);
        // Synced before the window, or after it (a clock far ahead): the run starts.
        for (const window of [
          { from: '2029-12-31T23:59:30.000Z', to: NOW },
          { from: '2029-12-31T23:57:00.000Z', to: '2029-12-31T23:58:00.000Z' },
        ]) {
          const started = await s.beginSyncRun({ ...input, skipIfSyncedWithin: window });
          assert.ok(started && typeof started === 'object');
          await s.releaseLease('t1', 'A', started.lease.generation);
        }
      });
    });

    it('starts nothing when the token is not as the caller last saw it (ifTokenUnchanged)', async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined) return;
        const beginSyncRun = s.beginSyncRun.bind(s);
        const saved = await s.saveToken('t1', { name: 'HQ', credentialsId: 'c1' });
        const input = { tokenId: 't1', owner: 'A', ttlMs: 60_000, now: NOW };
        const as = (t: { updatedAt: string; credentialsId?: string | undefined }) => ({
          updatedAt: t.updatedAt,
          credentialsId: t.credentialsId ?? null,
        });
        for (const seen of [
          { ...as(saved), credentialsId: 'c0' },
          { ...as(saved), updatedAt: '2000-01-01T00:00:00.000Z' },
        ]) {
          for (const one of [
            beginSyncRun({ ...input, ifTokenUnchanged: seen }),
            beginRunByParts(s, { ...input, ifTokenUnchanged: seen }),
          ]) {
            assert.equal(await one, 'token-changed');
          }
        }
        assert.equal(await s.getLease('t1'), null);
        assert.equal((await s.listSyncRuns('t1')).items.length, 0);
        // As seen: the run starts.
        const started = await beginSyncRun({ ...input, ifTokenUnchanged: as(saved) });
        assert.ok(started && typeof started === 'object');
        await s.releaseLease('t1', 'A', started.lease.generation);
        // Written since (every write moves updatedAt forward, even within a millisecond), or
        // gone: changed.
        const renamed = await s.saveToken('t1', { name: 'HQ 2' });
        assert.equal(
          await beginSyncRun({ ...input, ifTokenUnchanged: as(saved) }),
          'token-changed',
        );
        const ok = await beginSyncRun({ ...input, ifTokenUnchanged: as(renamed) });
        assert.ok(ok && typeof ok === 'object');
        await s.releaseLease('t1', 'A', ok.lease.generation);
        await s.saveToken('t2', { name: 'other' });
        const none = await beginSyncRun({
          ...input,
          tokenId: 't3',
          ifTokenUnchanged: as(renamed),
        });
        assert.equal(none, 'token-changed');
        assert.equal(await s.getLease('t3'), null);
      });
    });

    it('sends the policy unless knownPolicy names the stored one (revision and updatedAt)', async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined) return;
        const beginSyncRun = s.beginSyncRun.bind(s);
        const input = { tokenId: 't1', owner: 'A', ttlMs: 60_000, now: NOW };
        const policyOf = async (
          one: Promise<Awaited<ReturnType<typeof beginRunByParts>> | undefined>,
        ) => {
          const r = await one;
          assert.ok(r && typeof r === 'object');
          await s.releaseLease('t1', 'A', r.lease.generation);
          return r.policy;
        };
        const both = (knownPolicy: BeginSyncRunInput['knownPolicy']) => [
          beginSyncRun({ ...input, knownPolicy }),
          beginRunByParts(s, { ...input, knownPolicy }),
        ];
        await s.saveToken('t1', { name: 'HQ' });
        const first = await s.setPolicy('t1', { osDefaults: { iOS: 'P1' } });
        const known = { revision: first.revision, updatedAt: first.updatedAt };
        // The one named: 'unchanged', or (a store may always send it) the document.
        for (const one of both(known)) {
          const p = await policyOf(one);
          if (p !== 'unchanged') assert.deepEqual(p, first);
        }
        // Another one: always the document. A newer revision; a policy set after the token was
        // deleted and saved anew (where revisions start again, only updatedAt tells them apart;
        // 2 ms later, it is another millisecond).
        const second = await s.setPolicy('t1', { osDefaults: { iOS: 'P2' } });
        for (const one of both(known)) assert.deepEqual(await policyOf(one), second);
        assert.equal(await s.deleteToken('t1'), true);
        await s.saveToken('t1', { name: 'again' });
        await sleep(2);
        const again = await s.setPolicy('t1', { osDefaults: { iOS: 'P3' } });
        for (const one of both(known)) assert.deepEqual(await policyOf(one), again);
        // No policy: null, whatever the caller knew.
        await s.deleteToken('t1');
        await s.saveToken('t1', { name: 'bare' });
        const now = { revision: again.revision, updatedAt: again.updatedAt };
        for (const one of both(now)) assert.equal(await policyOf(one), null);
      });
    });

    it('returns null and records nothing while another owner holds the lease', async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined) return;
        await lease(s, 't1', 'B');
        assert.equal(await begin(s), null);
        assert.equal((await s.listSyncRuns('t1')).items.length, 0);
        assert.equal((await s.getLease('t1'))?.owner, 'B');
      });
    });

    it('ends a run: token written only while expected, run finished, older runs pruned, lease released', async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined || s.endSyncRun === undefined) return;
        await s.saveToken('t1', { name: 'HQ', credentialsId: 'c1' });
        const old = await s.startSyncRun('t1', { owner: 'A' });
        await s.finishSyncRun('t1', old.runId, { status: 'completed' });
        // Run ids are ordered by their start time in milliseconds: start the next one later.
        await sleep(5);
        const started = await begin(s);
        assert.ok(started);
        const end = await s.endSyncRun({
          tokenId: 't1',
          runId: started.run.runId,
          result: { status: 'completed', report: { pages: 1 } },
          keep: 1,
          token: { patch: { lastSyncAt: NOW }, expect: { credentialsId: 'c1' } },
          lease: { owner: 'A', generation: started.lease.generation },
        });
        assert.equal(end.run?.status, 'completed');
        assert.deepEqual(end.run?.report, { pages: 1 });
        assert.equal(end.token?.lastSyncAt, NOW);
        assert.equal(end.token?.name, 'HQ');
        assert.equal(end.pruned, 1);
        assert.equal(end.released, true);
        assert.equal(await s.getLease('t1'), null);
        assert.deepEqual(
          (await s.listSyncRuns('t1')).items.map((r) => r.runId),
          [started.run.runId],
        );
        // Renewed credentials meanwhile: the token is not written; a stale lease not released.
        const again = await begin(s);
        assert.ok(again);
        const stale = await s.endSyncRun({
          tokenId: 't1',
          runId: again.run.runId,
          result: { status: 'failed', error: { code: 'X', message: 'm' } },
          keep: 5,
          token: {
            patch: { lastSyncAt: '2031-01-01T00:00:00.000Z' },
            expect: { credentialsId: 'old' },
          },
          lease: { owner: 'A', generation: again.lease.generation - 1 },
        });
        assert.equal(stale.token, null);
        assert.equal(stale.released, false);
        assert.deepEqual(stale.run?.error, { code: 'X', message: 'm' });
        assert.equal((await s.getToken('t1'))?.lastSyncAt, NOW);
        assert.equal((await s.getLease('t1'))?.generation, again.lease.generation);
      });
    });

    it("ends a run with its last page's cursor: written like an empty page, only under the lease and from the expected cursor", async () => {
      await run(async ({ storage: s }) => {
        if (s.beginSyncRun === undefined || s.endSyncRun === undefined) return;
        const endSyncRun = s.endSyncRun.bind(s);
        const f = await lease(s, 't1', 'A');
        const c1 = await page(s, { ...f, owner: 'A' }, [dev('S1')]);
        await s.releaseLease('t1', 'A', f.generation);
        const end = async (
          expectedCursor: string | null,
          nextCursor: string,
          leaseOf: (g: number) => { owner: string; generation: number } | undefined,
        ) => {
          const started = await begin(s);
          assert.ok(started);
          const held = leaseOf(started.lease.generation);
          const out = await endSyncRun({
            tokenId: 't1',
            runId: started.run.runId,
            result: { status: 'completed' },
            keep: 5,
            ...(held === undefined ? {} : { lease: held }),
            cursor: { expectedCursor, nextCursor, phase: 'sync', fetchedUntil: null },
          });
          await s.releaseLease('t1', 'A', started.lease.generation);
          return out;
        };
        const mine = (generation: number) => ({ owner: 'A', generation });
        const written = await end(c1, 'c2', mine);
        assert.equal(written.released, true);
        assert.equal(written.run?.status, 'completed');
        const stored = await s.getCursor('t1');
        assert.deepEqual(written.cursor, stored);
        assert.equal(stored?.cursor, 'c2');
        assert.equal(stored?.phase, 'sync');
        assert.equal(stored?.fetchedUntil, null);
        // Another cursor stored meanwhile: nothing written, the run still ends.
        const conflict = await end('c1-old', 'c3', mine);
        assert.equal(conflict.cursor, null);
        assert.equal(conflict.released, true);
        assert.equal(conflict.run?.status, 'completed');
        assert.equal((await s.getCursor('t1'))?.cursor, 'c2');
        // A stale lease, or none: never written.
        assert.equal((await end('c2', 'c4', (g) => mine(g - 1))).cursor, null);
        assert.equal((await end('c2', 'c5', () => undefined)).cursor, null);
        assert.equal((await s.getCursor('t1'))?.cursor, 'c2');
        // No cursor given: none in the answer.
        const started = await begin(s);
        assert.ok(started);
        const plain = await s.endSyncRun({
          tokenId: 't1',
          runId: started.run.runId,
          result: { status: 'completed' },
          keep: 5,
          lease: mine(started.lease.generation),
        });
        assert.equal(plain.cursor, undefined);
      });
    });
  });
}
