/**
 * Lua scripts of RedisStorage. Every script touches only keys of one token (one `{tokenId}` hash
 * slot). Device metadata is a flat JSON object per serial (no arrays, so cjson round-trips it);
 * Apple's device JSON is stored opaque beside it and never decoded in Lua.
 * @internal
 */

/** Shared helpers: fence check, status derivation, index maintenance. */
const PRELUDE = `
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
end
local function nz(v) if v == '' then return nil end return v end
`;

/** KEYS[1]=lease KEYS[2]=leasegen; ARGV owner, ttlMs. Returns {gen, sec, usec} or nil. */
export const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local owner = string.match(cur, '^%d+:(.*)$')
  if owner ~= ARGV[1] then return nil end
end
local g = redis.call('INCR', KEYS[2])
if cur then
  redis.call('SET', KEYS[1], g .. ':' .. ARGV[1], 'PX', ARGV[2])
else
  if not redis.call('SET', KEYS[1], g .. ':' .. ARGV[1], 'NX', 'PX', ARGV[2]) then return nil end
end
local t = redis.call('TIME')
return {g, t[1], t[2]}
`;

/** KEYS[1]=lease; ARGV value, ttlMs. Returns {sec, usec} or nil. */
export const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return nil end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local t = redis.call('TIME')
return {t[1], t[2]}
`;

/** KEYS[1]=lease; ARGV value. Returns 1 if released. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * Page apply + cursor CAS. KEYS[1]=lease KEYS[2]=cursor; ARGV: base, gen, expectedRaw
 * ('' = none), newCursorJson, now, fullFetchId, n, then per device 12 args:
 * serial, deviceJson, opDateMs, opDateIso, opType, profileStatus, profileUuid, then the page plan
 * (planRevision, '' = none; resolved; reason; assignedProfile; assignedAt, '' = no assignment).
 * Returns {'LEASE'} | {'CURSOR'} | {'OK', outcome per device ('a','m','r','q','s')}.
 */
export const APPLY_PAGE = `${PRELUDE}
local base = ARGV[1]
if not fence_ok(KEYS[1], ARGV[2]) then return {'LEASE'} end
local stored = redis.call('GET', KEYS[2]) or ''
if stored ~= ARGV[3] then return {'CURSOR'} end
local now = ARGV[5]
local ffid = nz(ARGV[6])
local n = tonumber(ARGV[7])
local out = {}
for i = 0, n - 1 do
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
      if pasa ~= '' then
        m.as = pas
        m.asa = pasa
      end
    end
    m.ps = nz(ps)
    m.pu = nz(pu)
    m.up = now
    local old_status = prev and prev.st or nil
    reindex(base, serial, old_status, m)
    redis.call('HSET', base .. ':meta', serial, cjson.encode(m))
    redis.call('HSET', base .. ':dev', serial, dev)
    redis.call('ZADD', base .. ':all', 0, serial)
    if deleted then
      if prev and not was_removed then out[#out + 1] = 'r' else out[#out + 1] = 'q' end
    else
      if (not prev) or was_removed then out[#out + 1] = 'a' else out[#out + 1] = 'm' end
    end
  end
end
redis.call('SET', KEYS[2], ARGV[4])
return {'OK', out}
`;

/** Cursor CAS without devices. KEYS[1]=lease KEYS[2]=cursor; ARGV gen, expectedRaw, newJson. */
export const SET_CURSOR = `${PRELUDE}
if not fence_ok(KEYS[1], ARGV[1]) then return 'LEASE' end
local stored = redis.call('GET', KEYS[2]) or ''
if stored ~= ARGV[2] then return 'CURSOR' end
redis.call('SET', KEYS[2], ARGV[3])
return 'OK'
`;

/**
 * Patches tracked fields. KEYS[1]=lease; ARGV base, gen ('' = no fence), now, n, then per patch
 * 15 args: serial, then 7 pairs (flag '1'/'0', value) for rs, rr, pl, as, asa, en, sv.
 * Returns -1 on a lost lease, else the number updated.
 */
export const UPDATE_DEVICES = `${PRELUDE}
local base = ARGV[1]
if not fence_ok(KEYS[1], ARGV[2]) then return -1 end
local now = ARGV[3]
local n = tonumber(ARGV[4])
local fields = {'rs', 'rr', 'pl', 'as', 'asa', 'en', 'sv'}
local count = 0
for i = 0, n - 1 do
  local o = 5 + i * 15
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
return count
`;

/**
 * Marks live devices not delivered by full fetch ARGV[3] removed, among candidate serials.
 * KEYS[1]=lease; ARGV base, gen, fullFetchId, now, serials... Returns -1 on a lost lease, else
 * the serials marked.
 */
export const MARK_MISSING = `${PRELUDE}
local base = ARGV[1]
if not fence_ok(KEYS[1], ARGV[2]) then return -1 end
local out = {}
for i = 5, #ARGV do
  local serial = ARGV[i]
  local raw = redis.call('HGET', base .. ':meta', serial)
  if raw then
    local m = cjson.decode(raw)
    if (not m.rm) and m.ff ~= ARGV[3] then
      local old_status = m.st
      m.rm = true
      m.rma = ARGV[4]
      m.as = nil
      m.asa = nil
      m.up = ARGV[4]
      reindex(base, serial, old_status, m)
      redis.call('HSET', base .. ':meta', serial, cjson.encode(m))
      out[#out + 1] = serial
    end
  end
end
return out
`;

/**
 * Assignment results. KEYS[1]=lease; ARGV base, gen, now, n, then per serial 9 args:
 * serial, successFlag, successProfile, successAt, retryFlag ('0' none/delete, '1' upsert),
 * profile, status, nextAttemptMs|'' , then a JSON string {nextAttemptAt, lastError, inc, reset}.
 */
export const RECORD_RESULTS = `${PRELUDE}
local base = ARGV[1]
if not fence_ok(KEYS[1], ARGV[2]) then return -1 end
local now = ARGV[3]
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local o = 5 + i * 9
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
end
return 1
`;

/** Reset cursor. KEYS[1]=cursor; ARGV now. */
export const RESET_CURSOR = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local c = cjson.decode(raw)
c.cursor = cjson.null
c.phase = 'full'
c.fullFetchId = cjson.null
c.fetchedUntil = cjson.null
c.updatedAt = ARGV[1]
redis.call('SET', KEYS[1], cjson.encode(c))
return 1
`;
