import { describe, expect, it } from 'vitest';
import { isAbmError } from '../../../src/errors/index.js';
import type { StorageAdapter } from '../../../src/storage/adapter.js';
import { MemoryApiAccountDocs } from '../../../src/storage/memory/api-accounts.js';
import { InProcessAdapter } from '../../../src/storage/memory/in-process-adapter.js';
import { StateCore } from '../../../src/storage/memory/state-core.js';
import { StorageBase } from '../../../src/storage/storage-base.js';

/** An in-process adapter whose every store call is recorded as `store.method`. */
function spiedAdapter(clock: () => number): { adapter: StorageAdapter; calls: string[] } {
  const calls: string[] = [];
  const inner = new InProcessAdapter(
    new StateCore(clock, { persist: async () => {} }),
    { crossProcessLeases: false, atomicPageApply: true, ttl: false, persistent: false },
    new MemoryApiAccountDocs(),
  );
  const spy = <T extends object>(name: string, store: T): T =>
    new Proxy(store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(prop)}`);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const adapter: StorageAdapter = {
    capabilities: inner.capabilities,
    tokens: spy('tokens', inner.tokens),
    sessions: spy('sessions', inner.sessions),
    leases: spy('leases', inner.leases),
    cursors: spy('cursors', inner.cursors),
    devices: spy('devices', inner.devices),
    retries: spy('retries', inner.retries),
    runs: spy('runs', inner.runs),
    policies: spy('policies', inner.policies),
    now: () => inner.now(),
    close: () => inner.close(),
  };
  return { adapter, calls };
}

const invalid = async (p: Promise<unknown>): Promise<void> => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isAbmError(err, 'INVALID_ARGUMENT')).toBe(true);
};

describe('StorageBase over a custom adapter', () => {
  it('checks every argument before any store is called', async () => {
    const { adapter, calls } = spiedAdapter(() => Date.parse('2025-01-01T00:00:00Z'));
    const s = new StorageBase(adapter, { allowPlaintextSecrets: true });
    const fence = { tokenId: 't', generation: 1 };
    await invalid(s.saveToken('', {}));
    await invalid(s.saveToken('t', null as never));
    await invalid(s.listTokens({ limit: 0 }));
    await invalid(s.putSession('t', { sessionToken: 'x', expiresAt: 'soon' }));
    await invalid(s.acquireLease('t', '', 1000));
    await invalid(s.renewLease('t', 'A', 1, 0));
    await invalid(s.getDevice('t', ''));
    await invalid(s.listDevices('t', { limit: 10_001 }));
    await invalid(s.updateDevices('t', [{ serialNumber: 'S', enrolledAt: 'never' }]));
    await invalid(
      s.applyPage({
        ...fence,
        expectedCursor: null,
        nextCursor: 'c',
        phase: 'full',
        devices: [{ serial_number: '' }],
      }),
    );
    await invalid(
      s.applyPage({
        ...fence,
        expectedCursor: null,
        nextCursor: 'c',
        phase: 'full',
        devices: [],
        plans: [
          {
            serialNumber: 'S',
            resolvedProfileUuid: null,
            unassignedReason: null,
            planRevision: 1.5,
          },
        ],
      }),
    );
    await invalid(s.setPolicy('t', { f: () => 1 }.f));
    await invalid(
      s.recordAssignmentResults('t', [{ serialNumber: 'S', profileUuid: 'P', status: 'FAILED' }]),
    );
    await invalid(s.listDueRetries('t', { cursor: 'not-a-cursor' }));
    await invalid(s.pruneSyncRuns('t', -1));
    await invalid(s.getDevices('t', 'C02ABC' as never));
    await invalid(s.getDevices('t', ['C02ABC', '']));
    await invalid(s.deleteRetries('t', [42 as never]));
    await invalid(s.updateToken('t', { name: 'x' }, { name: 10n as never }));
    const start = { tokenId: 't', owner: 'A', ttlMs: 1000, now: '2025-01-01T00:00:00.000Z' };
    await invalid(s.beginSyncRun({ ...start, knownPolicy: { revision: 0, updatedAt: start.now } }));
    await invalid(s.beginSyncRun({ ...start, knownPolicy: { revision: 1, updatedAt: 'then' } }));
    await invalid(
      s.beginSyncRun({ ...start, knownPolicy: { revision: 2 ** 31, updatedAt: start.now } }),
    );
    expect(calls).toEqual([]);
  });

  it('hands the store a collapsed page and pages due retries from its candidates', async () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const { adapter } = spiedAdapter(() => now);
    const s = new StorageBase(adapter, { allowPlaintextSecrets: true });
    const g = await s.acquireLease('t', 'A', 60_000);
    const generation = g?.generation ?? 0;
    const r = await s.applyPage({
      tokenId: 't',
      generation,
      expectedCursor: null,
      nextCursor: 'c1',
      phase: 'sync',
      devices: [
        { serial_number: 'S1', op_type: 'added', op_date: '2025-01-01T00:00:02Z' },
        { serial_number: 'S1', op_type: 'modified', op_date: '2025-01-01T00:00:01Z' },
      ],
    });
    expect(r.added).toEqual(['S1']);
    expect((await s.getDevice('t', 'S1'))?.opType).toBe('added');
    const at = (ms: number) => new Date(now - ms).toISOString();
    await s.recordAssignmentResults('t', [
      { serialNumber: 'B', profileUuid: 'P', status: 'FAILED', nextAttemptAt: at(1000) },
      { serialNumber: 'A', profileUuid: 'P', status: 'FAILED', nextAttemptAt: at(1000) },
      { serialNumber: 'C', profileUuid: 'P', status: 'THROTTLED', nextAttemptAt: at(-1000) },
      { serialNumber: 'D', profileUuid: 'P', status: 'NOT_ACCESSIBLE' },
    ]);
    const first = await s.listDueRetries('t', { limit: 1 });
    expect(first.items.map((x) => x.serialNumber)).toEqual(['A']);
    const second = await s.listDueRetries('t', { limit: 1, cursor: first.nextCursor ?? '' });
    expect(second.items.map((x) => x.serialNumber)).toEqual(['B']);
    expect(second.nextCursor).toBeNull();
  });
});
