import { awaitsAssignment, DEVICE_STATUSES } from '../../domain/devices.js';
import { LeaseLostError } from '../../errors/index.js';
import type { DevicePersistence, Limited } from '../adapter.js';
import type * as T from '../types.js';
import { DEVICE_LUA, loadDevices, toUnresolved } from './device-meta.js';
import { fenceArg, LUA_CLOCK, type RedisConnection, script } from './redis-client.js';

/**
 * Device reads and abmkit-tracked writes (see `device-meta.ts` for the layout). Writes stamp
 * `updatedAt`/`removedAt` from Redis `TIME`.
 * @module
 */

/**
 * Patches tracked fields. KEYS[1]=lease; ARGV base, gen ('' = no fence), n, then per patch
 * 15 args: serial, then 7 pairs (flag '1'/'0', value) for rs, rr, pl, as, asa, en, sv.
 * Returns -1 on a lost lease, else the number updated.
 */
const UPDATE = script(`${LUA_CLOCK}${DEVICE_LUA}
local base = ARGV[1]
if not fence_ok(KEYS[1], ARGV[2]) then return -1 end
local now = clock()
local n = tonumber(ARGV[3])
local fields = {'rs', 'rr', 'pl', 'as', 'asa', 'en', 'sv'}
local count = 0
for i = 0, n - 1 do
  local o = 4 + i * 15
  local serial = ARGV[o]
  local raw = redis.call('HGET', base .. ':meta', serial)
  if raw then
    local m = cjson.decode(raw)
    local old_status = m.st
    for f = 1, 7 do
      if ARGV[o + f * 2 - 1] == '1' then m[fields[f]] = nz(ARGV[o + f * 2]) end
    end
    m.up = now
    reindex(base, serial, old_status, m)
    redis.call('HSET', base .. ':meta', serial, cjson.encode(m))
    count = count + 1
  end
end
return count`);

/**
 * Marks live devices not delivered by full fetch ARGV[3] removed, among candidate serials.
 * KEYS[1]=lease; ARGV base, gen, fullFetchId, serials... Returns -1 on a lost lease, else the
 * serials marked.
 */
const MARK_MISSING = script(`${LUA_CLOCK}${DEVICE_LUA}
local base = ARGV[1]
if not fence_ok(KEYS[1], ARGV[2]) then return -1 end
local now = clock()
local out = {}
for i = 4, #ARGV do
  local serial = ARGV[i]
  local raw = redis.call('HGET', base .. ':meta', serial)
  if raw then
    local m = cjson.decode(raw)
    if (not m.rm) and m.ff ~= ARGV[3] then
      local old_status = m.st
      m.rm = true
      m.rma = now
      m.as = nil
      m.asa = nil
      m.up = now
      reindex(base, serial, old_status, m)
      redis.call('HSET', base .. ':meta', serial, cjson.encode(m))
      out[#out + 1] = serial
    end
  end
end
return out`);

/** The device counts, in `DEVICE_STATUSES` order. KEYS[1]=all (routes the call); ARGV base. */
const COUNT = script(`${DEVICE_LUA}
return device_counts(ARGV[1])`);

/** Counts and the unresolved sample. KEYS[1]=all (the token's hash tag); ARGV base. */
const SUMMARY = script(`${DEVICE_LUA}
local n, first, reason = unresolved_sample(ARGV[1])
return {device_counts(ARGV[1]), n, first, reason}`);

/** The tracked fields `update` writes, by their metadata key, in the script's order. */
const PATCH_FIELDS = Object.entries({
  rs: 'resolvedProfileUuid',
  rr: 'unassignedReason',
  pl: 'planRevision',
  as: 'assignedProfileUuid',
  asa: 'assignedAt',
  en: 'enrolledAt',
  sv: 'profileServedAt',
} as const).map(([, field]) => field);

/** Whether a device passes the filters of `query` that its index does not already apply. */
function matches(
  d: T.DeviceRecord,
  q: T.DeviceQuery,
  statuses: Set<string> | null,
  inRetry: boolean,
) {
  if (statuses !== null ? !statuses.has(d.status) : d.removed && q.includeRemoved !== true) {
    return false;
  }
  if (q.unresolved === true && (d.removed || d.resolvedProfileUuid !== null)) return false;
  if (q.pendingAssignment === true && (!awaitsAssignment(d) || inRetry)) return false;
  return !(q.planRevisionNot !== undefined && (d.removed || d.planRevision === q.planRevisionNot));
}

/** Counts per status from `device_counts` (in `DEVICE_STATUSES` order). @internal */
export function countsOf(n: readonly unknown[]): Record<T.DeviceStatus, number> {
  return Object.fromEntries(DEVICE_STATUSES.map((s, i) => [s, Number(n[i])])) as Record<
    T.DeviceStatus,
    number
  >;
}

/** {@link DevicePersistence} over Redis. @internal */
export class RedisDevices implements DevicePersistence {
  /** @param r - The shared connection. */
  constructor(private readonly r: RedisConnection) {}

  async get(tokenId: string, serialNumber: string): Promise<T.DeviceRecord | null> {
    return (await loadDevices(this.r, tokenId, [serialNumber]))[0] ?? null;
  }

  async getMany(tokenId: string, serialNumbers: readonly string[]): Promise<T.DeviceRecord[]> {
    return loadDevices(this.r, tokenId, serialNumbers);
  }

  async list(tokenId: string, query: Limited<T.DeviceQuery>): Promise<T.Page<T.DeviceRecord>> {
    const { limit } = query;
    const b = this.r.base(tokenId);
    const st = query.status;
    const statuses = st === undefined ? null : new Set<string>(typeof st === 'string' ? [st] : st);
    let index = `${b}:all`;
    if (statuses?.size === 1) index = `${b}:st:${[...statuses][0] as string}`;
    else if (query.unresolved === true) index = `${b}:unres`;
    else if (query.pendingAssignment === true) index = `${b}:pend`;
    const items: T.DeviceRecord[] = [];
    let from = query.cursor === undefined ? '-' : `(${query.cursor}`;
    const chunk = Math.min(Math.max(limit + 1, 100), 2000);
    for (;;) {
      const serials = await this.r.lexRange(index, from, chunk);
      if (serials.length === 0) return { items, nextCursor: null };
      const records = await loadDevices(this.r, tokenId, serials);
      const retried =
        query.pendingAssignment === true
          ? ((await this.r.cmd('HMGET', `${b}:retry`, ...serials)) as (string | null)[])
          : [];
      const inRetry = new Set(serials.filter((_, i) => retried[i]));
      for (const d of records) {
        if (!matches(d, query, statuses, inRetry.has(d.serialNumber))) continue;
        if (items.length === limit) {
          return { items, nextCursor: items.at(-1)?.serialNumber ?? null };
        }
        items.push(d);
      }
      if (serials.length < chunk) return { items, nextCursor: null };
      from = `(${serials.at(-1) as string}`;
    }
  }

  async count(tokenId: string): Promise<Record<T.DeviceStatus, number>> {
    const b = this.r.base(tokenId);
    const n = (await this.r.eval(COUNT, [`${b}:all`], [b])) as number[];
    return countsOf(n);
  }

  async summary(tokenId: string): Promise<T.DeviceSummary> {
    const b = this.r.base(tokenId);
    const [counts, n, first, reason] = (await this.r.eval(SUMMARY, [`${b}:all`], [b])) as [
      number[],
      unknown,
      unknown,
      unknown,
    ];
    return { counts: countsOf(counts), unresolved: toUnresolved(n, first, reason) };
  }

  async findBySerial(serialNumber: string): Promise<T.DeviceRecord[]> {
    const key = `${this.r.prefix}:serial:${serialNumber}`;
    const tokens = (await this.r.cmd('SMEMBERS', key)) as string[];
    // The index may hold a token whose page failed after indexing: no record, left out.
    const found = await Promise.all(tokens.map((t) => loadDevices(this.r, t, [serialNumber])));
    return found
      .flat()
      .sort(
        (a, b) => Number(a.removed) - Number(b.removed) || (a.updatedAt < b.updatedAt ? 1 : -1),
      );
  }

  async update(tokenId: string, patches: readonly T.DevicePatch[], fence?: T.LeaseFence) {
    const b = this.r.base(tokenId);
    const byserial = new Map<string, Record<string, unknown>>();
    for (const p of patches) {
      // Field by field: a field present but `undefined` in a later patch changes nothing.
      const m: Record<string, unknown> = { ...byserial.get(p.serialNumber) };
      for (const [k, v] of Object.entries(p)) if (v !== undefined) m[k] = v;
      byserial.set(p.serialNumber, m);
    }
    const args: (string | number)[] = [b, fenceArg(fence), byserial.size];
    for (const [serial, p] of byserial) {
      args.push(serial);
      for (const f of PATCH_FIELDS) {
        const v = p[f];
        args.push(v === undefined ? '0' : '1', v === undefined || v === null ? '' : String(v));
      }
    }
    const r = Number(await this.r.eval(UPDATE, [`${b}:lease`], args));
    if (r < 0) throw new LeaseLostError(tokenId);
    return r;
  }

  async markMissingRemoved(input: T.MarkMissingInput): Promise<string[]> {
    const b = this.r.base(input.tokenId);
    const out: string[] = [];
    let from = '-';
    for (let checked = false; ; checked = true) {
      const serials = await this.r.lexRange(`${b}:all`, from, 1000);
      if (serials.length === 0 && checked) break;
      // Run at least once, so that a lost lease is reported even for a token without devices.
      const args = [b, fenceArg(input), input.fullFetchId, ...serials];
      const r = await this.r.eval(MARK_MISSING, [`${b}:lease`], args);
      if (r === -1) throw new LeaseLostError(input.tokenId);
      out.push(...(r as string[]));
      if (serials.length === 0) break;
      from = `(${serials.at(-1) as string}`;
    }
    return out.sort();
  }
}
