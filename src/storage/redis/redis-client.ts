import { createHash } from 'node:crypto';
import { StorageError } from '../../errors/index.js';
import type { LeaseFence } from '../types.js';

/**
 * Shared plumbing of the Redis stores: the key layout, commands with one error type, scripts run
 * by `EVALSHA` (falling back to `EVAL` on `NOSCRIPT`), and the Lua clock every script stamps its
 * writes with.
 *
 * @internal
 * @module
 */

/** The subset of an `ioredis` client that RedisStorage uses (`Redis` and `Cluster` fit). */
export interface RedisClientLike {
  /** Sends any command (ioredis `call`). */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** A Lua script with its SHA1, computed once. @internal */
export interface RedisScript {
  /** The Lua source. */
  readonly source: string;
  /** `sha1(source)`, for `EVALSHA`. */
  readonly sha: string;
}

/** Declares a Lua script (its SHA1 is computed once, here). @internal */
export function script(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * The one clock of the Redis stores, as Lua: `iso_of(sec, ms)` formats an instant like
 * `Date.prototype.toISOString`, and `clock()` returns Redis `TIME` as `(iso, ms)`. Every script
 * that stamps a write (`createdAt`, `updatedAt`, `firstSeenAt`, `removedAt`, `startedAt`, …)
 * calls `clock()`, so timestamps follow Redis time, the same clock as lease expiry and `now()`.
 * @internal
 */
export const LUA_CLOCK = `
local function iso_of(sec, ms)
  local z = math.floor(sec / 86400)
  local s = sec - z * 86400
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d,
    math.floor(s / 3600), math.floor(s / 60) % 60, s % 60, ms)
end
local function clock()
  local t = redis.call('TIME')
  local sec, ms = tonumber(t[1]), math.floor(tonumber(t[2]) / 1000)
  return iso_of(sec, ms), sec * 1000 + ms
end
local function ms_of(iso)
  local y, m, d, hh, mi, ss, ms = string.match(iso or '', '(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)%.(%d+)Z')
  if not y then return nil end
  y, m = tonumber(y), tonumber(m)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + tonumber(d) - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  return (days * 86400 + tonumber(hh) * 3600 + tonumber(mi) * 60 + tonumber(ss)) * 1000 + tonumber(ms)
end
local function later(prev)
  local iso, now = clock()
  local p = ms_of(prev)
  if p and p >= now then return iso_of(math.floor((p + 1) / 1000), (p + 1) % 1000) end
  return iso
end
`;

/** An ISO timestamp from Redis `TIME` parts, plus `plusMs`. @internal */
export function isoFromTime(sec: unknown, usec: unknown, plusMs = 0): string {
  return new Date(Number(sec) * 1000 + Math.floor(Number(usec) / 1000) + plusMs).toISOString();
}

/** The fence as the Lua scripts check it: `generation`, or `generation:owner`. @internal */
export function fenceArg(fence: LeaseFence | undefined): string {
  if (fence === undefined) return '';
  return fence.owner === undefined
    ? String(fence.generation)
    : `${fence.generation}:${fence.owner}`;
}

/** One client and key prefix, shared by every Redis store of a storage. @internal */
export class RedisConnection {
  /**
   * @param client - The embedder's ioredis client (never connected or quit here).
   * @param prefix - The key prefix, already checked.
   */
  constructor(
    readonly client: RedisClientLike,
    readonly prefix: string,
  ) {}

  /**
   * The key base of a token: `<prefix>:{<tag>}`, one Cluster slot per token. Ids with braces
   * are encoded; so are ids that look like an encoding (`b64.…`), or `a{b}` and `b64.YXtifQ`
   * would share their keys.
   */
  base(tokenId: string): string {
    const tag =
      /^[^{}]+$/.test(tokenId) && !tokenId.startsWith('b64.')
        ? tokenId
        : `b64.${Buffer.from(tokenId).toString('base64url')}`;
    return `${this.prefix}:{${tag}}`;
  }

  /** Sends a command; failures become `StorageError`. */
  async cmd(command: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.call(command, ...args);
    } catch (err) {
      throw new StorageError(`A Redis command (${command}) failed; check the connection.`, {
        cause: err,
      });
    }
  }

  /** Runs a script by SHA, loading it with `EVAL` when Redis does not know it yet. */
  async eval(s: RedisScript, keys: readonly string[], args: readonly (string | number)[]) {
    try {
      return await this.client.call('EVALSHA', s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw scriptError(err);
    }
    try {
      return await this.client.call('EVAL', s.source, keys.length, ...keys, ...args);
    } catch (err) {
      throw scriptError(err);
    }
  }

  /** Up to `count` members of a lexically sorted set after `from` (`'-'` = from the start). */
  async lexRange(key: string, from: string, count: number): Promise<string[]> {
    return (await this.cmd('ZRANGEBYLEX', key, from, '+', 'LIMIT', 0, count)) as string[];
  }

  /** Redis `TIME` as an ISO timestamp. */
  async now(): Promise<string> {
    const [sec, usec] = (await this.cmd('TIME')) as [string, string];
    return isoFromTime(sec, usec);
  }
}

function scriptError(cause: unknown): StorageError {
  return new StorageError('A Redis script failed; check the connection and Redis version (≥ 6).', {
    cause,
  });
}
