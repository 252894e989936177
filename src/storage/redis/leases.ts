import { LeaseLostError } from '../../errors/index.js';
import type { LeasePersistence } from '../adapter.js';
import type { LeaseGrant } from '../types.js';
import { isoFromTime, type RedisConnection, script } from './redis-client.js';

/**
 * Leases: `<base>:lease` holds `<generation>:<owner>` with a `PX` expiry on the Redis clock;
 * `<base>:leasegen` counts generations (`INCR`) and outlives the token, so they never repeat.
 * @module
 */

/**
 * Lua: `take_lease(lease, leasegen, owner, ttlMs)` takes the lease when free, expired or held by
 * `owner`, bumping the generation; returns the generation, or nil when another owner holds it.
 * Shared with the one-step run start. @internal
 */
export const LEASE_LUA = `
local function take_lease(lease_key, gen_key, owner, ttl)
  local cur = redis.call('GET', lease_key)
  if cur then
    if string.match(cur, '^%d+:(.*)$') ~= owner then return nil end
  end
  local g = redis.call('INCR', gen_key)
  if cur then
    redis.call('SET', lease_key, g .. ':' .. owner, 'PX', ttl)
  elseif not redis.call('SET', lease_key, g .. ':' .. owner, 'NX', 'PX', ttl) then
    return nil
  end
  return g
end`;

/** KEYS[1]=lease KEYS[2]=leasegen; ARGV owner, ttlMs. Returns {gen, sec, usec} or nil. */
const ACQUIRE = script(`${LEASE_LUA}
local g = take_lease(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
if not g then return nil end
local t = redis.call('TIME')
return {g, t[1], t[2]}`);

/** KEYS[1]=lease; ARGV value, ttlMs. Returns {sec, usec} or nil. */
const RENEW = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return nil end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local t = redis.call('TIME')
return {t[1], t[2]}`);

/** KEYS[1]=lease; ARGV value. Returns 1 if released. */
const RELEASE = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`);

/** {@link LeasePersistence} over Redis. @internal */
export class RedisLeases implements LeasePersistence {
  /** @param r - The shared connection. */
  constructor(private readonly r: RedisConnection) {}

  async acquire(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null> {
    const b = this.r.base(tokenId);
    const r = (await this.r.eval(ACQUIRE, [`${b}:lease`, `${b}:leasegen`], [owner, ttlMs])) as
      | [number, string, string]
      | null;
    if (r === null) return null;
    return { tokenId, owner, generation: Number(r[0]), expiresAt: isoFromTime(r[1], r[2], ttlMs) };
  }

  async renew(
    tokenId: string,
    owner: string,
    generation: number,
    ttlMs: number,
  ): Promise<LeaseGrant> {
    const key = `${this.r.base(tokenId)}:lease`;
    const r = (await this.r.eval(RENEW, [key], [`${generation}:${owner}`, ttlMs])) as
      | [string, string]
      | null;
    if (r === null) throw new LeaseLostError(tokenId);
    return { tokenId, owner, generation, expiresAt: isoFromTime(r[0], r[1], ttlMs) };
  }

  async release(tokenId: string, owner: string, generation: number): Promise<boolean> {
    const key = `${this.r.base(tokenId)}:lease`;
    return Number(await this.r.eval(RELEASE, [key], [`${generation}:${owner}`])) === 1;
  }

  async get(tokenId: string): Promise<LeaseGrant | null> {
    const key = `${this.r.base(tokenId)}:lease`;
    const [value, pttl, time] = await Promise.all([
      this.r.cmd('GET', key),
      this.r.cmd('PTTL', key),
      this.r.cmd('TIME'),
    ]);
    if (typeof value !== 'string' || Number(pttl) <= 0) return null;
    const m = /^(\d+):(.*)$/s.exec(value);
    if (!m) return null;
    const [sec, usec] = time as [string, string];
    return {
      tokenId,
      owner: m[2] as string,
      generation: Number(m[1]),
      expiresAt: isoFromTime(sec, usec, Number(pttl)),
    };
  }
}
