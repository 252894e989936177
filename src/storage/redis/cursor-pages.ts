import { opDateMs } from '../../domain/devices.js';
import { CursorConflictError, LeaseLostError } from '../../errors/index.js';
import type { AdeDevice } from '../../schemas/device.js';
import type { CursorPersistence, PageWrite } from '../adapter.js';
import type { ApplyPageResult, CursorRecord, SetCursorInput } from '../types.js';
import { DEVICE_LUA } from './device-meta.js';
import { fenceArg, LUA_CLOCK, type RedisConnection, script } from './redis-client.js';

/**
 * The cursor (`<base>:cursor`, a JSON string) and page application: one Lua script upserts a
 * page's devices and compare-and-sets the cursor after checking the lease generation, so a page
 * is all or nothing. `updatedAt`, `firstSeenAt` and `removedAt` come from Redis `TIME`.
 * @module
 */

/**
 * Lua: the next cursor document, or nil when the stored cursor is not the expected one
 * (`exp_null` '1' = expect none). Fields absent from `input_json` keep their stored values.
 * @internal
 */
export const CURSOR_LUA = `
local function next_cursor(key, input_json, exp_null, exp, now)
  local raw = redis.call('GET', key)
  local s = raw and cjson.decode(raw) or {}
  local none = (s.cursor == nil or s.cursor == cjson.null)
  if (exp_null == '1') ~= none or ((not none) and s.cursor ~= exp) then return nil end
  local c = cjson.decode(input_json)
  for _, f in ipairs({'fullFetchId', 'lastFullFetchAt', 'fetchedUntil'}) do
    if c[f] == nil then c[f] = s[f] or cjson.null end
  end
  c.updatedAt = now
  return cjson.encode(c)
end`;

/**
 * Page apply + cursor CAS. KEYS[1]=lease KEYS[2]=cursor; ARGV: base, gen, cursor input JSON,
 * expected-none flag, expected cursor, fullFetchId, n, then per device 12 args: serial,
 * deviceJson, opDateMs, opDateIso, opType, profileStatus, profileUuid, then the page plan
 * (planRevision, '' = none; resolved; reason; assignedProfile; assignedAt, '' = no
 * assignment). Returns {'LEASE'} | {'CURSOR'} | {'OK', cursor JSON, outcomes ('a','m','r','q','s')}.
 */
const APPLY_PAGE = script(`${LUA_CLOCK}${DEVICE_LUA}${CURSOR_LUA}
local base = ARGV[1]
if not fence_ok(KEYS[1], ARGV[2]) then return {'LEASE'} end
local now = clock()
local cursor = next_cursor(KEYS[2], ARGV[3], ARGV[4], ARGV[5], now)
if not cursor then return {'CURSOR'} end
local ffid = nz(ARGV[6])
local out = {}
for i = 0, tonumber(ARGV[7]) - 1 do
  local o = 8 + i * 12
  local serial, dev, odm, odi, ot, ps, pu = ARGV[o], ARGV[o+1], ARGV[o+2], ARGV[o+3], ARGV[o+4], ARGV[o+5], ARGV[o+6]
  local pl, prs, prr, pas, pasa = ARGV[o+7], ARGV[o+8], ARGV[o+9], ARGV[o+10], ARGV[o+11]
  local raw = redis.call('HGET', base .. ':meta', serial)
  local prev = raw and cjson.decode(raw) or nil
  if prev and odm ~= '' and prev.odm and tonumber(odm) < tonumber(prev.odm) then
    out[#out + 1] = 's'
  else
    local m = prev or { fs = now }
    local deleted = (ot == 'deleted')
    if odm ~= '' then m.odm = odm; m.od = odi end
    if ot ~= '' then m.ot = ot end
    local was_removed = prev and prev.rm
    if deleted then
      m.rm = true
      if not was_removed then m.rma = now end
      m.as = nil
      m.asa = nil
    else
      m.rm = nil
      m.rma = nil
    end
    if ffid then m.ff = ffid end
    if pl ~= '' and not deleted then
      m.pl = pl
      m.rs = nz(prs)
      m.rr = nz(prr)
      if pasa ~= '' then m.as = pas; m.asa = pasa end
    end
    m.ps = nz(ps)
    m.pu = nz(pu)
    m.up = now
    reindex(base, serial, prev and prev.st or nil, m)
    redis.call('HSET', base .. ':meta', serial, cjson.encode(m))
    redis.call('HSET', base .. ':dev', serial, dev)
    redis.call('ZADD', base .. ':all', 0, serial)
    if deleted then
      out[#out + 1] = (prev and not was_removed) and 'r' or 'q'
    else
      out[#out + 1] = ((not prev) or was_removed) and 'a' or 'm'
    end
  end
end
redis.call('SET', KEYS[2], cursor)
return {'OK', cursor, out}`);

/** Cursor CAS. KEYS[1]=lease KEYS[2]=cursor; ARGV gen, then the cursor args of APPLY_PAGE. */
const SET_CURSOR = script(`${LUA_CLOCK}${DEVICE_LUA}${CURSOR_LUA}
if not fence_ok(KEYS[1], ARGV[1]) then return {'LEASE'} end
local cursor = next_cursor(KEYS[2], ARGV[2], ARGV[3], ARGV[4], clock())
if not cursor then return {'CURSOR'} end
redis.call('SET', KEYS[2], cursor)
return {'OK', cursor}`);

/** Reset cursor. KEYS[1]=cursor. */
const RESET_CURSOR = script(`${LUA_CLOCK}
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local c = cjson.decode(raw)
c.cursor = cjson.null
c.phase = 'full'
c.fullFetchId = cjson.null
c.fetchedUntil = cjson.null
c.updatedAt = clock()
redis.call('SET', KEYS[1], cjson.encode(c))
return 1`);

const OUTCOMES = { a: 'added', m: 'modified', r: 'removed', s: 'skipped' } as const;

/** {@link CursorPersistence} over Redis. @internal */
export class RedisCursorPages implements CursorPersistence {
  /**
   * @param r - The shared connection.
   */
  constructor(private readonly r: RedisConnection) {}

  async get(tokenId: string): Promise<CursorRecord | null> {
    const raw = (await this.r.cmd('GET', `${this.r.base(tokenId)}:cursor`)) as string | null;
    return raw === null ? null : (JSON.parse(raw) as CursorRecord);
  }

  /** The script arguments of a cursor move: its fields (absent = keep) and the expected cursor. */
  #cursorArgs(input: SetCursorInput | PageWrite, cursor: string | null): string[] {
    const { tokenId, phase, fullFetchId, lastFullFetchAt } = input;
    const fetchedUntil = 'fetchedUntil' in input ? input.fetchedUntil : undefined;
    const fields = { tokenId, cursor, phase, fullFetchId, lastFullFetchAt, fetchedUntil };
    const expected = input.expectedCursor;
    return [JSON.stringify(fields), expected === null ? '1' : '0', expected ?? ''];
  }

  /** The result of a cursor script: the stored cursor, or the error it reports. */
  #result(tokenId: string, r: unknown[]): CursorRecord {
    if (r[0] === 'LEASE') throw new LeaseLostError(tokenId);
    if (r[0] !== 'OK') throw new CursorConflictError(tokenId);
    return JSON.parse(r[1] as string) as CursorRecord;
  }

  async set(input: SetCursorInput): Promise<CursorRecord> {
    const b = this.r.base(input.tokenId);
    const args = [fenceArg(input), ...this.#cursorArgs(input, input.cursor)];
    const r = await this.r.eval(SET_CURSOR, [`${b}:lease`, `${b}:cursor`], args);
    return this.#result(input.tokenId, r as unknown[]);
  }

  async reset(tokenId: string): Promise<void> {
    await this.r.eval(RESET_CURSOR, [`${this.r.base(tokenId)}:cursor`], []);
  }

  async applyPage(input: PageWrite, betweenWrites: () => Promise<void>): Promise<ApplyPageResult> {
    const { tokenId, devices, plans } = input;
    const b = this.r.base(tokenId);
    // Deleted records keep the device's history: merge onto the stored JSON. Only applyPage
    // writes device JSON and the cursor compare-and-set serialises it, so this read is safe.
    const deleted = devices.filter((d) => d.op_type === 'deleted').map((d) => d.serial_number);
    const prev = (
      deleted.length === 0 ? [] : await this.r.cmd('HMGET', `${b}:dev`, ...deleted)
    ) as (string | null)[];
    const docs = new Map<string, AdeDevice>();
    deleted.forEach((s, i) => {
      if (prev[i]) docs.set(s, JSON.parse(prev[i]) as AdeDevice);
    });
    if (devices.length > 0) {
      // Remember, per token, every serial put in the cross-token index (even when the page
      // then fails), so that deleting the token can take them all out of it again.
      await this.r.cmd('ZADD', `${b}:indexed`, ...devices.flatMap((d) => [0, d.serial_number]));
      await Promise.all(
        devices.map((d) =>
          this.r.cmd('SADD', `${this.r.prefix}:serial:${d.serial_number}`, tokenId),
        ),
      );
    }
    await betweenWrites();
    const args: (string | number)[] = [
      b,
      fenceArg(input),
      ...this.#cursorArgs(input, input.nextCursor),
    ];
    args.push(input.fullFetchId ?? '');
    args.push(devices.length);
    for (const d of devices) {
      const stored = docs.get(d.serial_number);
      const doc = stored === undefined ? d : { ...stored, ...d };
      const ms = opDateMs(d);
      const plan = plans.get(d.serial_number);
      args.push(
        d.serial_number,
        JSON.stringify(doc),
        ms === null ? '' : String(ms),
        ms === null ? '' : new Date(ms).toISOString(),
        typeof d.op_type === 'string' ? d.op_type : '',
        typeof doc.profile_status === 'string' ? doc.profile_status : '',
        typeof doc.profile_uuid === 'string' ? doc.profile_uuid : '',
        plan === undefined ? '' : String(plan.planRevision),
        plan?.resolvedProfileUuid ?? '',
        plan?.unassignedReason ?? '',
        plan?.assignedProfileUuid ?? '',
        plan?.assignedAt ?? '',
      );
    }
    const keys = [`${b}:lease`, `${b}:cursor`];
    const r = (await this.r.eval(APPLY_PAGE, keys, args)) as [string, string?, string[]?];
    const result: ApplyPageResult = {
      ...{ added: [], modified: [], removed: [], skipped: [] },
      cursor: this.#result(tokenId, r),
    };
    (r[2] ?? []).forEach((k, i) => {
      const kind = OUTCOMES[k as keyof typeof OUTCOMES];
      if (kind) result[kind].push((devices[i] as AdeDevice).serial_number);
    });
    return result;
  }
}
