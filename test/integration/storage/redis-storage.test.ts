import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as vitest from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStorage } from '../../../src/storage/redis/index.js';
import { describeStorageConformance } from '../../../src/testing/index.js';
import { shouldRun } from './services.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const run = await shouldRun('Redis', url, 6379);
const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
if (run) await client.connect();
const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
let n = 0;

async function keysOf(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out;
}

async function dropPrefix(prefix: string): Promise<void> {
  const keys = await keysOf(prefix);
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
}

async function dump(prefix: string): Promise<string> {
  const out: string[] = [];
  for (const key of await keysOf(prefix)) {
    const type = await client.type(key);
    if (type === 'string') out.push(`${key}=${await client.get(key)}`);
    else if (type === 'hash') out.push(`${key}=${JSON.stringify(await client.hgetall(key))}`);
    else if (type === 'zset') out.push(`${key}=${(await client.zrange(key, 0, -1)).join(',')}`);
    else if (type === 'set') out.push(`${key}=${(await client.smembers(key)).join(',')}`);
  }
  return out.join('\n');
}

afterAll(async () => {
  if (run) await dropPrefix(`abmkit-test-${runId}`);
  client.disconnect();
});

describe.skipIf(!run)('RedisStorage', () => {
  describeStorageConformance(
    'RedisStorage',
    async (ctx) => {
      const prefix = `abmkit-test-${runId}-${n++}`;
      const storage = new RedisStorage({ ...ctx, client, prefix });
      return {
        storage,
        rawDump: () => dump(prefix),
        openPeer: async (peerCtx) => new RedisStorage({ ...peerCtx, client, prefix }),
        cleanup: () => dropPrefix(prefix),
      };
    },
    { runner: vitest, shortTtlMs: 200 },
  );

  describe('RedisStorage extras', () => {
    it('keeps every key of a token in one hash slot ({tokenId} tag)', async () => {
      const prefix = `abmkit-test-${runId}-${n++}`;
      const s = new RedisStorage({ client, prefix, allowPlaintextSecrets: true });
      const g = await s.acquireLease('tok-1', 'A', 60_000);
      await s.applyPage({
        tokenId: 'tok-1',
        generation: g?.generation ?? 0,
        expectedCursor: null,
        nextCursor: 'c',
        phase: 'full',
        devices: [{ serial_number: 'S1' }],
      });
      await s.setPolicy('tok-1', {});
      await s.putSession('tok-1', { sessionToken: 'x', expiresAt: '2100-01-01T00:00:00Z' });
      const keys = (await keysOf(prefix)).filter((k) => k.includes('{'));
      expect(keys.length).toBeGreaterThan(5);
      const slots = new Set(
        await Promise.all(
          keys.map((k) =>
            client.call('CLUSTER', 'KEYSLOT', k).catch(() => k.match(/\{[^}]*\}/)?.[0]),
          ),
        ),
      );
      expect(slots.size).toBe(1);
      await dropPrefix(prefix);
    });

    it('expires sessions in Redis itself (TTL capability)', async () => {
      const prefix = `abmkit-test-${runId}-${n++}`;
      const s = new RedisStorage({ client, prefix, allowPlaintextSecrets: true });
      await s.putSession('t', {
        sessionToken: 'x',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
      const ttl = await client.pttl(`${prefix}:{t}:session`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(s.capabilities.ttl).toBe(true);
      await dropPrefix(prefix);
    });

    it('deleteToken leaves no key of the token, not even serial-index entries of a failed page', async () => {
      const prefix = `abmkit-test-${runId}-${n++}`;
      let fail = false;
      const s = new RedisStorage({
        client,
        prefix,
        allowPlaintextSecrets: true,
        faultInjection: {
          betweenWrites: () => {
            if (fail) throw new Error('simulated crash');
          },
        },
      });
      const g = await s.acquireLease('gone', 'A', 60_000);
      const fence = { tokenId: 'gone', generation: g?.generation ?? 0 };
      await s.applyPage({
        ...fence,
        expectedCursor: null,
        nextCursor: 'c1',
        phase: 'sync',
        devices: [{ serial_number: 'KEPT' }],
      });
      fail = true;
      await expect(
        s.applyPage({
          ...fence,
          expectedCursor: 'c1',
          nextCursor: 'c2',
          phase: 'sync',
          devices: [{ serial_number: 'NEVER-APPLIED' }],
        }),
      ).rejects.toThrow(/simulated crash/);
      expect(await client.smembers(`${prefix}:serial:NEVER-APPLIED`)).toEqual(['gone']);
      expect(await s.deleteToken('gone')).toBe(true);
      // Only the lease-generation counter stays, so that generations never repeat for the id.
      const left = await keysOf(prefix);
      expect(left.filter((k) => !k.endsWith(':leasegen'))).toEqual([]);
      expect(left.length).toBeLessThanOrEqual(1);
      await dropPrefix(prefix);
    });

    it('builds the plan and assignment indexes once for devices stored before them', async () => {
      const prefix = `abmkit-test-${runId}-${n++}`;
      const s = new RedisStorage({ client, prefix, allowPlaintextSecrets: true });
      const g = await s.acquireLease('old', 'A', 60_000);
      await s.applyPage({
        tokenId: 'old',
        generation: g?.generation ?? 0,
        expectedCursor: null,
        nextCursor: 'c',
        phase: 'full',
        devices: [{ serial_number: 'S1' }, { serial_number: 'S2' }],
        plans: ['S1', 'S2'].map((serialNumber) => ({
          serialNumber,
          planRevision: 1,
          resolvedProfileUuid: serialNumber === 'S1' ? 'p1' : null,
          unassignedReason: serialNumber === 'S1' ? null : 'x',
        })),
      });
      await s.releaseLease('old', 'A', g?.generation ?? 0);
      await s.setPolicy('old', {});
      await s.updateDevices('old', [{ serialNumber: 'S2', planRevision: 7 }]);
      // As an earlier version left the token: devices, but neither index.
      const b = `${prefix}:{old}`;
      await client.del(`${b}:plan`, `${b}:await`, `${b}:ixv`);
      const input = { tokenId: 'old', owner: 'A', ttlMs: 60_000, now: '2030-01-01T00:00:00Z' };
      const begin = async () => {
        const out = await s.beginSyncRun(input);
        if (out === 'recently-synced' || out === 'token-changed')
          throw new Error('not asked to skip');
        return out;
      };
      const first = await begin();
      expect(first?.pending).toMatchObject({ replan: true, assign: true });
      expect(await client.zrange(`${b}:plan`, 0, -1, 'WITHSCORES')).toEqual(['S1', '1', 'S2', '7']);
      expect(await client.zrange(`${b}:await`, 0, -1)).toEqual(['S1']);
      await s.updateDevices('old', [{ serialNumber: 'S2', planRevision: 1 }]);
      await s.recordAssignmentResults('old', [
        {
          serialNumber: 'S1',
          profileUuid: 'p1',
          status: 'THROTTLED',
          nextAttemptAt: '2031-01-01T00:00:00Z',
        },
      ]);
      await s.releaseLease('old', 'A', first?.lease.generation ?? 0);
      expect((await begin())?.pending).toMatchObject({
        replan: false,
        assign: false,
        retries: true,
      });
      await dropPrefix(prefix);
    });

    it('rejects a missing client and a bad prefix', () => {
      expect(() => new RedisStorage({} as never)).toThrowError(/ioredis/);
      expect(() => new RedisStorage({ client, prefix: 'a{b}' })).toThrowError(/prefix/);
    });
  });
});
