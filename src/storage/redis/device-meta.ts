import { DEVICE_STATUSES } from '../../domain/devices.js';
import type { AdeDevice } from '../../schemas/device.js';
import type { DeviceRecord, DeviceStatus, UnresolvedSample } from '../types.js';
import type { RedisConnection } from './redis-client.js';

/**
 * Device storage shared by the device, page and retry stores. Per token, `<base>:dev` holds
 * Apple's device JSON (opaque, never decoded in Lua) and `<base>:meta` a flat JSON object of
 * abmkit's fields per serial (no arrays, so cjson round-trips it). Sorted sets index the serials:
 * `all`, `st:<status>`, `unres` (no resolved profile) and `pend` (awaiting assignment); `await`
 * holds the `pend` serials without a retry entry (`sync_await`, also called by the retry scripts)
 * and `plan` scores each live serial by its plan revision (`-inf` without one), so whether a
 * device waits for an assignment or a new plan is one `ZRANGE` or two `ZCOUNT`s. `reindex` keeps
 * them all, in every script that writes `meta`.
 * @module
 */

/** The metadata object of one device, as the Lua scripts keep it. @internal */
export interface Meta {
  fs: string;
  odm?: string;
  od?: string;
  ot?: string;
  rm?: boolean;
  rma?: string;
  rs?: string;
  rr?: string;
  pl?: string;
  as?: string;
  asa?: string;
  en?: string;
  sv?: string;
  ff?: string;
  ps?: string;
  pu?: string;
  up: string;
  st: DeviceStatus;
}

/** Lua helpers of the device scripts: fence check, status derivation, index upkeep. @internal */
export const DEVICE_LUA = `
local function fence_ok(lease_key, gen)
  if gen == '' then return true end
  local v = redis.call('GET', lease_key)
  if not v then return false end
  if string.find(gen, ':', 1, true) then return v == gen end
  return string.match(v, '^(%d+):') == gen
end
local function status_of(m)
  if m.rm then return 'removed' end
  if m.en then return 'enrolled' end
  if m.sv then return 'profile-served' end
  if m.ps == 'pushed' then return 'pushed' end
  if m.ps == 'assigned' or m.as then return 'assigned' end
  return 'unassigned'
end
local function plan_index(base, serial, m)
  if m.rm then
    redis.call('ZREM', base .. ':plan', serial)
  else
    local rev = tonumber(m.pl)
    if rev == nil or rev ~= rev then rev = '-inf' end
    redis.call('ZADD', base .. ':plan', rev, serial)
  end
end
local function sync_await(base, serial)
  if redis.call('ZSCORE', base .. ':pend', serial)
    and redis.call('HEXISTS', base .. ':retry', serial) == 0 then
    redis.call('ZADD', base .. ':await', 0, serial)
  else
    redis.call('ZREM', base .. ':await', serial)
  end
end
local function reindex(base, serial, old_status, m)
  local st = status_of(m)
  m.st = st
  if old_status ~= st then
    if old_status then redis.call('ZREM', base .. ':st:' .. old_status, serial) end
    redis.call('ZADD', base .. ':st:' .. st, 0, serial)
  end
  if (not m.rm) and (not m.rs) then
    redis.call('ZADD', base .. ':unres', 0, serial)
  else
    redis.call('ZREM', base .. ':unres', serial)
  end
  if (not m.rm) and m.rs and m.rs ~= m.pu and m.rs ~= m.as then
    redis.call('ZADD', base .. ':pend', 0, serial)
  else
    redis.call('ZREM', base .. ':pend', serial)
  end
  sync_await(base, serial)
  plan_index(base, serial, m)
end
local function nz(v) if v == '' then return nil end return v end
local STATUSES = {${DEVICE_STATUSES.map((st) => `'${st}'`).join(', ')}}
local function device_counts(base)
  local out = {}
  for i, st in ipairs(STATUSES) do out[i] = redis.call('ZCARD', base .. ':st:' .. st) end
  return out
end
local function unresolved_sample(base)
  local n = math.min(redis.call('ZCARD', base .. ':unres'), 100)
  local first = redis.call('ZRANGE', base .. ':unres', 0, 0)[1]
  local reason = false
  if first then
    local raw = redis.call('HGET', base .. ':meta', first)
    if raw then reason = cjson.decode(raw).rr or false end
  end
  return n, first or false, reason
end
`;

function toDevice(tokenId: string, serial: string, dev: string, metaRaw: string): DeviceRecord {
  const m = JSON.parse(metaRaw) as Meta;
  return {
    tokenId,
    serialNumber: serial,
    device: JSON.parse(dev) as AdeDevice,
    opDate: m.od ?? null,
    opType: m.ot ?? null,
    status: m.st,
    removed: m.rm === true,
    removedAt: m.rma ?? null,
    resolvedProfileUuid: m.rs ?? null,
    unassignedReason: m.rr ?? null,
    planRevision: m.pl === undefined ? null : Number(m.pl),
    assignedProfileUuid: m.as ?? null,
    assignedAt: m.asa ?? null,
    enrolledAt: m.en ?? null,
    profileServedAt: m.sv ?? null,
    fullFetchId: m.ff ?? null,
    firstSeenAt: m.fs,
    updatedAt: m.up,
  };
}

/** The stored records of `serials` (missing ones left out), in the given order. @internal */
export async function loadDevices(
  r: RedisConnection,
  tokenId: string,
  serials: readonly string[],
): Promise<DeviceRecord[]> {
  if (serials.length === 0) return [];
  const b = r.base(tokenId);
  const [devs, metas] = (await Promise.all([
    r.cmd('HMGET', `${b}:dev`, ...serials),
    r.cmd('HMGET', `${b}:meta`, ...serials),
  ])) as [(string | null)[], (string | null)[]];
  const out: DeviceRecord[] = [];
  serials.forEach((s, i) => {
    const d = devs[i];
    const m = metas[i];
    if (d && m) out.push(toDevice(tokenId, s, d, m));
  });
  return out;
}

/** The unresolved sample of `unresolved_sample`'s three script results. @internal */
export function toUnresolved(n: unknown, first: unknown, reason: unknown): UnresolvedSample {
  return {
    count: Number(n),
    first:
      typeof first === 'string'
        ? { serialNumber: first, unassignedReason: typeof reason === 'string' ? reason : null }
        : null,
  };
}
