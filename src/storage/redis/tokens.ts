import { DEVICE_STATUSES } from '../../domain/devices.js';
import type { Limited, TokenPersistence } from '../adapter.js';
import type { Page, TokenExpectation, TokenPatch, TokenQuery, TokenRecord } from '../types.js';
import { LUA_CLOCK, type RedisConnection, script } from './redis-client.js';

/**
 * Tokens: one hash per token (`<base>:token`, each field the JSON of its value) and the
 * `<prefix>:tokens` index of ids. `createdAt`/`updatedAt` are stamped in Lua from Redis `TIME`
 * (`updatedAt` moves forward by at least 1 ms on every write: it versions the record).
 * @module
 */

/** KEYS[1]=token; ARGV nset, then nset (field, json) pairs, then fields to delete. */
const SAVE = script(`${LUA_CLOCK}
local now = '"' .. later(redis.call('HGET', KEYS[1], 'updatedAt')) .. '"'
redis.call('HSETNX', KEYS[1], 'createdAt', now)
redis.call('HSET', KEYS[1], 'updatedAt', now)
local nset = tonumber(ARGV[1])
for i = 0, nset - 1 do redis.call('HSET', KEYS[1], ARGV[2 + i * 2], ARGV[3 + i * 2]) end
for i = 2 + nset * 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
return redis.call('HGETALL', KEYS[1])`);

/**
 * Lua: `update_token(key, a, o)` is the conditional patch of token hash `key`, its arguments in
 * table `a` from index `o`: nexp, nexp (field, json or '' = absent) pairs, nset, nset (field,
 * json) pairs, then the fields to delete to the end. Fields hold JSON.stringify of the value, so
 * equal values compare as equal strings. Returns the stored hash (flat), or false when absent or
 * not matching. Needs LUA_CLOCK. Shared with the one-step run end. @internal
 */
export const TOKEN_UPDATE_LUA = `
local function update_token(key, a, o)
  if redis.call('EXISTS', key) == 0 then return false end
  local nexp = tonumber(a[o])
  for i = 0, nexp - 1 do
    local have = redis.call('HGET', key, a[o + 1 + i * 2]) or ''
    if have ~= a[o + 2 + i * 2] then return false end
  end
  local at = o + 1 + nexp * 2
  local nset = tonumber(a[at])
  redis.call('HSET', key, 'updatedAt', '"' .. later(redis.call('HGET', key, 'updatedAt')) .. '"')
  for i = 0, nset - 1 do redis.call('HSET', key, a[at + 1 + i * 2], a[at + 2 + i * 2]) end
  for i = at + 1 + nset * 2, #a do redis.call('HDEL', key, a[i]) end
  return redis.call('HGETALL', key)
end`;

/** Conditional patch. KEYS[1]=token; ARGV as `update_token` reads them from 1. */
const UPDATE = script(`${LUA_CLOCK}${TOKEN_UPDATE_LUA}
return update_token(KEYS[1], ARGV, 1)`);

/** The per-token keys `delete` removes (`leasegen` stays: lease generations never repeat). */
const TOKEN_KEYS = [
  ...['token', 'session', 'lease', 'cursor', 'dev', 'meta', 'all', 'indexed', 'unres', 'pend'],
  ...['policy', 'retry', 'due', 'runs', 'runidx', 'plan', 'await', 'ixv'],
  ...DEVICE_STATUSES.map((s) => `st:${s}`),
];

/** A patch as `[nset, ...pairs, ...deleted]` script arguments. */
function patchArgs(patch: TokenPatch): (string | number)[] {
  const set: string[] = [];
  const del: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'tokenId' || k === 'createdAt' || k === 'updatedAt' || v === undefined) continue;
    if (v === null) del.push(k);
    else set.push(k, JSON.stringify(v));
  }
  return [set.length / 2, ...set, ...del];
}

/** The arguments of `update_token`: the expectation (`null`/absent = no field), then the patch. @internal */
export function updateArgs(patch: TokenPatch, expect: TokenExpectation): (string | number)[] {
  const exp: string[] = [];
  for (const [k, v] of Object.entries(expect)) {
    exp.push(k, v === null || v === undefined ? '' : JSON.stringify(v));
  }
  return [exp.length / 2, ...exp, ...patchArgs(patch)];
}

/** A token from its flat hash (`HGETALL`), or `null` when empty. @internal */
export function toToken(tokenId: string, flat: string[] | null | undefined): TokenRecord | null {
  if (!flat || flat.length === 0) return null;
  const out: Record<string, unknown> = { tokenId };
  for (let i = 0; i < flat.length; i += 2) {
    out[flat[i] as string] = JSON.parse(flat[i + 1] as string);
  }
  return out as unknown as TokenRecord;
}

/** {@link TokenPersistence} over Redis. @internal */
export class RedisTokens implements TokenPersistence {
  /** @param r - The shared connection. */
  constructor(private readonly r: RedisConnection) {}

  async save(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    const flat = (await this.r.eval(
      SAVE,
      [`${this.r.base(tokenId)}:token`],
      patchArgs(patch),
    )) as string[];
    await this.r.cmd('ZADD', `${this.r.prefix}:tokens`, 0, tokenId);
    return toToken(tokenId, flat) as TokenRecord;
  }

  async update(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    const key = `${this.r.base(tokenId)}:token`;
    const flat = (await this.r.eval(UPDATE, [key], updateArgs(patch, expect))) as string[] | null;
    return toToken(tokenId, flat);
  }

  async get(tokenId: string): Promise<TokenRecord | null> {
    const flat = await this.r.cmd('HGETALL', `${this.r.base(tokenId)}:token`);
    return toToken(tokenId, flat as string[]);
  }

  async list(query: Limited<TokenQuery>): Promise<Page<TokenRecord>> {
    const { limit } = query;
    const items: TokenRecord[] = [];
    let from = query.cursor === undefined ? '-' : `(${query.cursor}`;
    for (;;) {
      const ids = await this.r.lexRange(`${this.r.prefix}:tokens`, from, 200);
      if (ids.length === 0) return { items, nextCursor: null };
      for (const t of await Promise.all(ids.map((id) => this.get(id)))) {
        if (t === null) continue;
        if (query.customerId !== undefined && t.customerId !== query.customerId) continue;
        if (query.siteId !== undefined && t.siteId !== query.siteId) continue;
        if (items.length === limit) return { items, nextCursor: items.at(-1)?.tokenId ?? null };
        items.push(t);
      }
      from = `(${ids.at(-1) as string}`;
    }
  }

  async delete(tokenId: string): Promise<boolean> {
    const b = this.r.base(tokenId);
    // `indexed` holds every serial entered in the cross-token index, including those of a page
    // that failed after indexing; `all` covers data written before `indexed` existed.
    for (const index of ['indexed', 'all']) {
      let from = '-';
      for (;;) {
        const serials = await this.r.lexRange(`${b}:${index}`, from, 1000);
        if (serials.length === 0) break;
        await Promise.all(
          serials.map((s) => this.r.cmd('SREM', `${this.r.prefix}:serial:${s}`, tokenId)),
        );
        from = `(${serials.at(-1) as string}`;
      }
    }
    const n = Number(await this.r.cmd('DEL', ...TOKEN_KEYS.map((k) => `${b}:${k}`)));
    await this.r.cmd('ZREM', `${this.r.prefix}:tokens`, tokenId);
    return n > 0;
  }
}
