import type { PolicyPersistence } from '../adapter.js';
import type { PolicyRecord } from '../types.js';
import { LUA_CLOCK, type RedisConnection, script } from './redis-client.js';

/**
 * Policies: one hash per token (`<base>:policy`: `policy` JSON, `revision`, `updatedAt` from
 * Redis `TIME`).
 * @module
 */

/** KEYS[1]=policy; ARGV policy JSON. Returns {revision, updatedAt}. */
const SET = script(`${LUA_CLOCK}
local now = clock()
local r = redis.call('HINCRBY', KEYS[1], 'revision', 1)
redis.call('HSET', KEYS[1], 'policy', ARGV[1], 'updatedAt', now)
return {r, now}`);

/** {@link PolicyPersistence} over Redis. @internal */
export class RedisPolicies implements PolicyPersistence {
  /** @param r - The shared connection. */
  constructor(private readonly r: RedisConnection) {}

  async get(tokenId: string): Promise<PolicyRecord | null> {
    const key = `${this.r.base(tokenId)}:policy`;
    const [policy, revision, updatedAt] = (await this.r.cmd(
      'HMGET',
      key,
      'policy',
      'revision',
      'updatedAt',
    )) as (string | null)[];
    if (!policy) return null;
    return {
      tokenId,
      policy: JSON.parse(policy) as unknown,
      revision: Number(revision),
      updatedAt: String(updatedAt),
    };
  }

  async set(tokenId: string, policy: unknown): Promise<PolicyRecord> {
    const json = JSON.stringify(policy);
    const key = `${this.r.base(tokenId)}:policy`;
    const [revision, updatedAt] = (await this.r.eval(SET, [key], [json])) as [number, string];
    return { tokenId, policy: JSON.parse(json) as unknown, revision: Number(revision), updatedAt };
  }
}
