import type { SessionPersistence } from '../adapter.js';
import type { IsoDateTime, SessionRecord } from '../types.js';
import { LUA_CLOCK, type RedisConnection, script } from './redis-client.js';

/**
 * Sessions: one string per token (`<base>:session`) that Redis expires at `expiresAt`, measured
 * on Redis `TIME` (which also stamps `updatedAt`).
 * @module
 */

/**
 * KEYS[1]=session; ARGV expiresAt in ms, the record's JSON without `updatedAt`. Deletes the
 * session when `expiresAt` is already past on the Redis clock.
 */
const PUT = script(`${LUA_CLOCK}
local now, ms = clock()
local ttl = tonumber(ARGV[1]) - ms
if ttl <= 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('SET', KEYS[1], '{"updatedAt":"' .. now .. '",' .. string.sub(ARGV[2], 2), 'PX', ttl)
return 1`);

/**
 * KEYS[1]=session; ARGV ttl in ms, the record's JSON without `updatedAt` and `expiresAt`, which
 * Redis `TIME` stamps (expiry `ttl` after it).
 */
const PUT_FOR = script(`${LUA_CLOCK}
local now, ms = clock()
local ttl = tonumber(ARGV[1])
local exp = ms + ttl
redis.call('SET', KEYS[1], '{"updatedAt":"' .. now .. '","expiresAt":"' ..
  iso_of(math.floor(exp / 1000), exp % 1000) .. '",' .. string.sub(ARGV[2], 2), 'PX', ttl)
return 1`);

/** {@link SessionPersistence} over Redis. @internal */
export class RedisSessions implements SessionPersistence {
  /** @param r - The shared connection. */
  constructor(private readonly r: RedisConnection) {}

  async put(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void> {
    const { sessionToken, expiresAt } = session;
    await this.r.eval(
      PUT,
      [`${this.r.base(tokenId)}:session`],
      [Date.parse(expiresAt), JSON.stringify({ tokenId, sessionToken, expiresAt })],
    );
  }

  async putFor(tokenId: string, session: { sessionToken: string; ttlMs: number }): Promise<void> {
    await this.r.eval(
      PUT_FOR,
      [`${this.r.base(tokenId)}:session`],
      [Math.ceil(session.ttlMs), JSON.stringify({ tokenId, sessionToken: session.sessionToken })],
    );
  }

  async get(tokenId: string): Promise<SessionRecord | null> {
    // Redis expires the key at `expiresAt` (Redis time); nothing to compare here.
    const raw = (await this.r.cmd('GET', `${this.r.base(tokenId)}:session`)) as string | null;
    return raw === null ? null : (JSON.parse(raw) as SessionRecord);
  }

  async delete(tokenId: string): Promise<void> {
    await this.r.cmd('DEL', `${this.r.base(tokenId)}:session`);
  }
}
