import type { SerialAssignmentPlan } from '../../domain/assignments.js';
import { LeaseLostError } from '../../errors/index.js';
import type { Limited, RetryPersistence, RetryPosition } from '../adapter.js';
import type { AssignmentRetryRecord, IsoDateTime, LeaseFence, Page, RetryQuery } from '../types.js';
import { DEVICE_LUA } from './device-meta.js';
import { fenceArg, LUA_CLOCK, type RedisConnection, script } from './redis-client.js';

/**
 * The retry queue: `<base>:retry` holds one JSON entry per serial and `<base>:due` scores the
 * due ones by `nextAttemptAt` in ms. A sorted set orders equal scores by member, so the due
 * order (`nextAttemptAt`, then serial) is the set's own order. `updatedAt` is Redis `TIME`.
 * @module
 */

/**
 * Planned assignment results. KEYS[1]=lease; ARGV base, gen, n, then per serial 9 args:
 * serial, successFlag, successProfile, successAt, retryFlag ('0' none/delete, '1' upsert),
 * profile, status, nextAttemptMs|'' , then a JSON string {nextAttemptAt, lastError, inc, reset}.
 */
const RECORD = script(`${LUA_CLOCK}${DEVICE_LUA}
local base = ARGV[1]
if not fence_ok(KEYS[1], ARGV[2]) then return -1 end
local now = clock()
for i = 0, tonumber(ARGV[3]) - 1 do
  local o = 4 + i * 9
  local serial = ARGV[o]
  if ARGV[o + 1] == '1' then
    local raw = redis.call('HGET', base .. ':meta', serial)
    if raw then
      local m = cjson.decode(raw)
      local old_status = m.st
      m.as = ARGV[o + 2]
      m.asa = ARGV[o + 3]
      m.up = now
      reindex(base, serial, old_status, m)
      redis.call('HSET', base .. ':meta', serial, cjson.encode(m))
    end
  end
  local extra = cjson.decode(ARGV[o + 8])
  if ARGV[o + 4] == '0' or extra.reset then
    redis.call('HDEL', base .. ':retry', serial)
    redis.call('ZREM', base .. ':due', serial)
  end
  if ARGV[o + 4] == '1' then
    local prev = redis.call('HGET', base .. ':retry', serial)
    local attempts = extra.inc
    if prev then attempts = attempts + cjson.decode(prev).attempts end
    local rec = { serialNumber = serial, profileUuid = ARGV[o + 5], status = ARGV[o + 6],
      attempts = attempts, nextAttemptAt = extra.nextAttemptAt, lastError = extra.lastError, updatedAt = now }
    redis.call('HSET', base .. ':retry', serial, cjson.encode(rec))
    if ARGV[o + 7] ~= '' then
      redis.call('ZADD', base .. ':due', ARGV[o + 7], serial)
    else
      redis.call('ZREM', base .. ':due', serial)
    end
  end
  sync_await(base, serial)
end
return 1`);

/**
 * KEYS[1]=retry KEYS[2]=due; ARGV base, then serials. Returns how many entries existed. A
 * serial leaving the queue may await its assignment again (`sync_await`).
 */
const DELETE = script(`${DEVICE_LUA}
local n = 0
for i = 2, #ARGV do
  n = n + redis.call('HDEL', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
  sync_await(ARGV[1], ARGV[i])
end
return n`);

function toRetry(tokenId: string, raw: string): AssignmentRetryRecord {
  const r = JSON.parse(raw) as AssignmentRetryRecord;
  return {
    tokenId,
    serialNumber: r.serialNumber,
    profileUuid: r.profileUuid,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: r.nextAttemptAt ?? null,
    lastError: r.lastError ?? null,
    updatedAt: r.updatedAt,
  };
}

/** {@link RetryPersistence} over Redis. @internal */
export class RedisRetries implements RetryPersistence {
  /** @param r - The shared connection. */
  constructor(private readonly r: RedisConnection) {}

  /** Exactly the due page plus one: the `due` set's own order is the due order. */
  async due(
    tokenId: string,
    query: { now: IsoDateTime; after: RetryPosition | null; limit: number },
  ): Promise<AssignmentRetryRecord[]> {
    const { after, limit } = query;
    const b = this.r.base(tokenId);
    const afterMs = after === null ? Number.NEGATIVE_INFINITY : Date.parse(after[0]);
    const range = [`${b}:due`, after === null ? '-inf' : afterMs, Date.parse(query.now)];
    const items: AssignmentRetryRecord[] = [];
    const chunk = Math.min(limit + 1, 1000);
    for (let offset = 0; items.length <= limit; offset += chunk) {
      const flat = (await this.r.cmd(
        'ZRANGEBYSCORE',
        ...range,
        'WITHSCORES',
        'LIMIT',
        offset,
        chunk,
      )) as string[];
      // Equal scores come in serial order: skip the serials up to the position's.
      const serials = flat.filter(
        (s, i) => i % 2 === 0 && !(Number(flat[i + 1]) === afterMs && s <= (after?.[1] ?? '')),
      );
      const raws = (
        serials.length === 0 ? [] : await this.r.cmd('HMGET', `${b}:retry`, ...serials)
      ) as (string | null)[];
      for (const raw of raws) if (raw !== null) items.push(toRetry(tokenId, raw));
      if (flat.length < chunk * 2) break;
    }
    return items.slice(0, limit + 1);
  }

  async list(tokenId: string, query: Limited<RetryQuery>): Promise<Page<AssignmentRetryRecord>> {
    const { limit } = query;
    const flat = (await this.r.cmd('HGETALL', `${this.r.base(tokenId)}:retry`)) as string[];
    const all = flat
      .filter((_, i) => i % 2 === 1)
      .map((raw) => toRetry(tokenId, raw))
      .filter(
        (r) =>
          (query.status === undefined || r.status === query.status) &&
          (query.cursor === undefined || r.serialNumber > query.cursor),
      )
      .sort((a, b) => (a.serialNumber < b.serialNumber ? -1 : 1));
    const items = all.slice(0, limit);
    return {
      items,
      nextCursor: all.length > limit ? (items.at(-1)?.serialNumber ?? null) : null,
    };
  }

  async delete(tokenId: string, serialNumbers: readonly string[]): Promise<number> {
    const b = this.r.base(tokenId);
    return Number(await this.r.eval(DELETE, [`${b}:retry`, `${b}:due`], [b, ...serialNumbers]));
  }

  /**
   * Writes planned results in one script. `updatedAt` is Redis `TIME`, read in the script (the
   * one clock of the Redis stores; the front's `at` is `now()`, the same clock, read earlier).
   */
  async record(
    tokenId: string,
    plans: readonly SerialAssignmentPlan[],
    _at: IsoDateTime,
    fence?: LeaseFence,
  ): Promise<void> {
    const b = this.r.base(tokenId);
    const args: (string | number)[] = [b, fenceArg(fence), plans.length];
    for (const { serial, success, retry } of plans) {
      args.push(
        ...[serial, success ? '1' : '0', success?.profileUuid ?? '', success?.at ?? ''],
        ...[retry ? '1' : '0', retry?.profileUuid ?? '', retry?.status ?? ''],
        retry?.nextAttemptAt ? String(Date.parse(retry.nextAttemptAt)) : '',
        JSON.stringify({
          nextAttemptAt: retry?.nextAttemptAt ?? null,
          lastError: retry?.lastError ?? null,
          inc: retry?.increment ?? 0,
          reset: retry?.reset ?? false,
        }),
      );
    }
    const r = Number(await this.r.eval(RECORD, [`${b}:lease`], args));
    if (r < 0) throw new LeaseLostError(tokenId);
  }
}
