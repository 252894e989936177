import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { RedisStorage } from '../../../src/storage/redis/index.js';
import { LUA_CLOCK } from '../../../src/storage/redis/redis-client.js';
import { shouldRun } from './services.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const run = await shouldRun('Redis', url, 6379);
const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
if (run) await client.connect();
const prefix = `abmkit-clock-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

async function redisTime(): Promise<string> {
  const [sec, usec] = await client.time();
  return new Date(Number(sec) * 1000 + Math.floor(Number(usec) / 1000)).toISOString();
}

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  if (run) {
    const keys = await client.keys(`${prefix}:*`);
    if (keys.length > 0) await client.del(...keys);
  }
  client.disconnect();
});

describe.skipIf(!run)('RedisStorage clock', () => {
  it('formats instants in Lua exactly like Date.prototype.toISOString', async () => {
    const instants = [0, 951_782_400_000, 1_709_164_800_123, 4_107_542_399_999, 4_107_542_400_000];
    // Seeded (LCG) instants from 1970 to 2200, so that every month and leap rule is crossed.
    let seed = 12_345;
    for (let i = 0; i < 300; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      instants.push(Math.floor((seed / 2 ** 31) * 7_258_118_400_000));
    }
    const lua = `${LUA_CLOCK}
local out = {}
for i = 1, #ARGV do
  local ms = tonumber(ARGV[i])
  out[i] = iso_of(math.floor(ms / 1000), ms % 1000)
end
return out`;
    const got = (await client.eval(lua, 0, ...instants.map(String))) as string[];
    expect(got).toEqual(instants.map((ms) => new Date(ms).toISOString()));
  });

  it('stamps every write with Redis TIME, not the process clock', async () => {
    const s = new RedisStorage({ client, prefix, allowPlaintextSecrets: true });
    // The process clock is 25 years behind Redis from here on; only Date is faked.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2001-02-03T04:05:06.789Z'));
    const before = await redisTime();
    const token = await s.saveToken('t', { name: 'HQ' });
    const updated = await s.updateToken('t', { name: 'HQ2' }, { name: 'HQ' });
    await s.putSession('t', { sessionToken: 'x', expiresAt: '2100-01-01T00:00:00.000Z' });
    const lease = await s.acquireLease('t', 'A', 60_000);
    const fence = { tokenId: 't', generation: lease?.generation ?? 0 };
    const page = await s.applyPage({
      ...fence,
      expectedCursor: null,
      nextCursor: 'c1',
      phase: 'full',
      fullFetchId: 'f1',
      devices: [{ serial_number: 'A1' }, { serial_number: 'B2' }],
    });
    const cursor = await s.setCursor({
      ...fence,
      expectedCursor: 'c1',
      cursor: 'c2',
      phase: 'full',
    });
    await s.updateDevices('t', [{ serialNumber: 'A1', enrolledAt: '2020-01-01T00:00:00.000Z' }]);
    await s.recordAssignmentResults('t', [
      { serialNumber: 'A1', profileUuid: 'P', status: 'SUCCESS' },
      { serialNumber: 'B2', profileUuid: 'P', status: 'NOT_ACCESSIBLE' },
    ]);
    const assigned = await s.getDevice('t', 'A1');
    const removed = await s.markMissingRemoved({ ...fence, fullFetchId: 'f2' });
    const policy = await s.setPolicy('t', { rules: [] });
    const started = await s.startSyncRun('t', { owner: 'A' });
    const finished = await s.finishSyncRun('t', started.runId, { status: 'completed' });
    await s.resetCursor('t');
    const now = await s.now();
    const after = await redisTime();

    const a1 = await s.getDevice('t', 'A1');
    const [retry] = (await s.listRetries('t')).items;
    const stamps = {
      tokenCreated: token.createdAt,
      tokenUpdated: updated?.updatedAt,
      session: (await s.getSession('t'))?.updatedAt,
      leaseFrom: lease && new Date(Date.parse(lease.expiresAt) - 60_000).toISOString(),
      pageCursor: page.cursor.updatedAt,
      cursor: cursor.updatedAt,
      resetCursor: (await s.getCursor('t'))?.updatedAt,
      firstSeen: a1?.firstSeenAt,
      deviceUpdated: assigned?.updatedAt,
      assignedAt: assigned?.assignedAt,
      removedAt: a1?.removedAt,
      retryUpdated: retry?.updatedAt,
      policy: policy.updatedAt,
      runStarted: started.startedAt,
      runFinished: finished?.finishedAt,
      now,
    };
    expect(removed).toEqual(['A1', 'B2']);
    for (const [what, at] of Object.entries(stamps)) {
      expect({ what, at, ok: typeof at === 'string' && at >= before && at <= after }).toEqual({
        what,
        at,
        ok: true,
      });
    }
    // The run id orders runs by Redis time as well.
    expect(started.runId.slice(0, 10)).toBe(
      Date.parse(started.startedAt).toString(36).padStart(10, '0'),
    );
  });
});
