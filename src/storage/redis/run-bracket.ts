import { newRunId } from '../../domain/devices.js';
import type { RunEndWrite } from '../adapter.js';
import type {
  BeginSyncRunInput,
  CursorRecord,
  SessionRecord,
  SyncRunBegin,
  SyncRunEnd,
} from '../types.js';
import { CURSOR_LUA } from './cursor-pages.js';
import { DEVICE_LUA, toUnresolved } from './device-meta.js';
import { countsOf } from './devices.js';
import { LEASE_LUA } from './leases.js';
import { isoFromTime, LUA_CLOCK, type RedisConnection, script } from './redis-client.js';
import { outcomeBody, RUN_FINISH_LUA } from './run-lua.js';
import { TOKEN_UPDATE_LUA, toToken, updateArgs } from './tokens.js';

/**
 * A sync run's start and end in one Lua script each (`runs.begin` / `runs.end` of the Redis
 * adapter), answering what `beginRunByParts` / `endRunByParts` compose from the single stores.
 * Every key is a token key (one hash tag), so each script is one round trip, also on Cluster.
 * @module
 */

/**
 * Lua helpers of the run start: the run id's time part, the one-time build of the `plan` and
 * `await` indexes for devices written before they existed (marked by `ixv`), and the
 * pending-work checks: the first serial of `await` (checked against its record, as the
 * `pendingAssignment` listing does), two `ZCOUNT`s of `plan`, the `due` set up to now.
 */
const BEGIN_LUA = `
local function base36(n, width)
  local digits = '0123456789abcdefghijklmnopqrstuvwxyz'
  local s = ''
  while n > 0 do
    local d = n % 36
    s = string.sub(digits, d + 1, d + 1) .. s
    n = (n - d) / 36
  end
  return string.rep('0', width - #s) .. s
end
local function ensure_indexes(base)
  if redis.call('EXISTS', base .. ':ixv') == 1 then return end
  local all, pend = base .. ':all', base .. ':pend'
  for i = 0, redis.call('ZCARD', all) - 1, 500 do
    for _, serial in ipairs(redis.call('ZRANGE', all, i, i + 499)) do
      local raw = redis.call('HGET', base .. ':meta', serial)
      if raw then plan_index(base, serial, cjson.decode(raw)) end
    end
  end
  for i = 0, redis.call('ZCARD', pend) - 1, 500 do
    for _, serial in ipairs(redis.call('ZRANGE', pend, i, i + 499)) do sync_await(base, serial) end
  end
  redis.call('SET', base .. ':ixv', '1')
end
local function some_replan(base, rev)
  local plan = base .. ':plan'
  return redis.call('ZCARD', plan) > redis.call('ZCOUNT', plan, rev, rev)
end
local function some_assignable(base)
  local await = base .. ':await'
  for i = 0, redis.call('ZCARD', await) - 1, 100 do
    for _, serial in ipairs(redis.call('ZRANGE', await, i, i + 99)) do
      if redis.call('HEXISTS', base .. ':retry', serial) == 0
        and redis.call('HEXISTS', base .. ':dev', serial) == 1 then
        local raw = redis.call('HGET', base .. ':meta', serial)
        if raw then
          local m = cjson.decode(raw)
          if (not m.rm) and m.rs and m.rs ~= m.pu and m.rs ~= m.as then return true end
        end
      end
    end
  end
  return false
end
local function some_due(base, now_ms)
  local off = 0
  while true do
    local serials = redis.call('ZRANGEBYSCORE', base .. ':due', '-inf', now_ms, 'LIMIT', off, 100)
    for _, serial in ipairs(serials) do
      if redis.call('HEXISTS', base .. ':retry', serial) == 1 then return true end
    end
    if #serials < 100 then return false end
    off = off + 100
  end
end
local function flag(b) if b then return 1 end return 0 end
`;

/**
 * The run start. KEYS[1]=lease KEYS[2]=leasegen KEYS[3]=runs KEYS[4]=runidx KEYS[5]=cursor
 * KEYS[6]=policy KEYS[7]=token KEYS[8]=session; ARGV base, owner, ttlMs, tokenId, the run id's random part,
 * now (ms), skipIfSyncedWithin's from ('' = none) and to (ISO): 'recent' when the token's
 * lastSyncAt lies between those two (bytewise, as ISO strings sort); ifTokenUnchanged's
 * updatedAt ('' = none) and credentialsId ('' = none), as the token hash stores them (JSON):
 * 'changed' when the hash holds others; knownPolicy's revision ('' = none) and updatedAt: the
 * policy JSON is answered as '=' when the stored policy has them.
 * Everything is read before the lease is taken and the run written, so a failing read writes
 * nothing but the (idempotent) one-time index build. Returns false when another owner holds the lease, else {generation, sec, usec, runId,
 * startedAt, cursor JSON, policy JSON, policy revision, policy updatedAt, counts, replan,
 * assign, retries, dueRetries, unresolved count (up to 100), first unresolved serial, its
 * reason, the session record JSON} (absent values false, flags 1/0).
 */
const BEGIN = script(`${LUA_CLOCK}${DEVICE_LUA}${LEASE_LUA}${BEGIN_LUA}
local base, owner = ARGV[1], ARGV[2]
if ARGV[9] ~= '' then
  local at = redis.call('HGET', KEYS[7], 'updatedAt')
  local cid = redis.call('HGET', KEYS[7], 'credentialsId')
  if cid == 'null' then cid = false end
  if at ~= ARGV[9] or (cid or '') ~= ARGV[10] then return 'changed' end
end
if ARGV[7] ~= '' then
  local last = redis.call('HGET', KEYS[7], 'lastSyncAt')
  if last then
    last = cjson.decode(last)
    if type(last) == 'string' and last >= ARGV[7] and last <= ARGV[8] then return 'recent' end
  end
end
local held = redis.call('GET', KEYS[1])
if held and string.match(held, '^%d+:(.*)$') ~= owner then return false end
local cursor = redis.call('GET', KEYS[5])
local pol = redis.call('HMGET', KEYS[6], 'revision', 'updatedAt')
local rev = 0
local policy = false
if pol[1] then
  rev = tonumber(pol[1])
  if ARGV[11] ~= '' and pol[1] == ARGV[11] and pol[2] == ARGV[12] then
    policy = '='
  else
    policy = redis.call('HGET', KEYS[6], 'policy')
  end
end
local counts = device_counts(base)
ensure_indexes(base)
local replan = some_replan(base, rev)
local assign = some_assignable(base)
local retries = redis.call('HLEN', base .. ':retry') > 0
local due = retries and some_due(base, ARGV[6])
local unres_n, unres_first, unres_reason = unresolved_sample(base)
local g = take_lease(KEYS[1], KEYS[2], owner, ARGV[3])
if not g then return false end
local t = redis.call('TIME')
local sec, ms = tonumber(t[1]), math.floor(tonumber(t[2]) / 1000)
local started = iso_of(sec, ms)
local run_id = base36(sec * 1000 + ms, 10) .. '-' .. ARGV[5]
redis.call('HSET', KEYS[3], run_id, cjson.encode({ runId = run_id, tokenId = ARGV[4],
  owner = owner, status = 'running', startedAt = started, finishedAt = cjson.null,
  report = cjson.null, error = cjson.null }))
redis.call('ZADD', KEYS[4], 0, run_id)
return {g, t[1], t[2], run_id, started, cursor, policy, pol[1], pol[2], counts,
  flag(replan), flag(assign), flag(retries), flag(due), unres_n, unres_first or false,
  unres_reason or false, redis.call('GET', KEYS[8])}`);

/**
 * The run end. KEYS[1]=token KEYS[2]=runs KEYS[3]=runidx KEYS[4]=lease KEYS[5]=cursor; ARGV
 * runId, the outcome (JSON without '{'), keep, the lease value ('' = none), the cursor input
 * JSON ('' = none), expected-none flag, expected cursor, '1' with a token write and then its
 * `update_token` arguments. In order: the cursor compare-and-set (only while the lease value
 * holds), the conditional token write, the run's outcome, the prune (keeps the newest `keep` and
 * always this run), the lease release. Returns {token (flat) or false, run JSON or false,
 * pruned, released 1/0, cursor JSON or false}.
 */
const END = script(`${LUA_CLOCK}${TOKEN_UPDATE_LUA}${RUN_FINISH_LUA}${CURSOR_LUA}
local cursor = false
if ARGV[5] ~= '' and ARGV[4] ~= '' and redis.call('GET', KEYS[4]) == ARGV[4] then
  local c = next_cursor(KEYS[5], ARGV[5], ARGV[6], ARGV[7], clock())
  if c then
    redis.call('SET', KEYS[5], c)
    cursor = c
  end
end
local token = false
if ARGV[8] == '1' then token = update_token(KEYS[1], ARGV, 9) end
local run = finish_run(KEYS[2], ARGV[1], ARGV[2])
local pruned = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -(tonumber(ARGV[3]) + 1))) do
  if id ~= ARGV[1] then
    redis.call('HDEL', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    pruned = pruned + 1
  end
end
local released = 0
if ARGV[4] ~= '' and redis.call('GET', KEYS[4]) == ARGV[4] then
  redis.call('DEL', KEYS[4])
  released = 1
end
return {token, run, pruned, released, cursor}`);

/** `runs.begin` over Redis: one script. @internal */
export async function beginRun(
  r: RedisConnection,
  input: BeginSyncRunInput,
): Promise<SyncRunBegin> {
  const { tokenId, owner, ttlMs, now } = input;
  const b = r.base(tokenId);
  const keys = ['lease', 'leasegen', 'runs', 'runidx', 'cursor', 'policy', 'token', 'session'].map(
    (k) => `${b}:${k}`,
  );
  // The run id is `<ms base36>-<random>` (newRunId); the script writes the time part.
  const random = newRunId(0).split('-')[1] as string;
  const within = input.skipIfSyncedWithin;
  const seen = input.ifTokenUnchanged;
  const out = (await r.eval(BEGIN, keys, [
    ...[b, owner, ttlMs, tokenId, random, Date.parse(now)],
    ...(within === undefined ? ['', ''] : [within.from, within.to]),
    ...(seen === undefined
      ? ['', '']
      : [
          JSON.stringify(seen.updatedAt),
          seen.credentialsId === null ? '' : JSON.stringify(seen.credentialsId),
        ]),
    ...(input.knownPolicy === undefined
      ? ['', '']
      : [String(input.knownPolicy.revision), input.knownPolicy.updatedAt]),
  ])) as unknown[] | string | null;
  if (out === 'changed') return 'token-changed';
  if (out === 'recent') return 'recently-synced';
  if (out === null || typeof out === 'string') return null;
  const [gen, sec, usec, runId, startedAt, cursor, policy, revision, updatedAt, counts] = out;
  const flags = out.slice(10, 14).map((f) => Number(f) === 1);
  const [unresolved, firstSerial, firstReason, session] = out.slice(14);
  return {
    lease: { tokenId, owner, generation: Number(gen), expiresAt: isoFromTime(sec, usec, ttlMs) },
    run: {
      ...{ runId: String(runId), tokenId, owner, status: 'running' },
      ...{ startedAt: String(startedAt), finishedAt: null, report: null, error: null },
    },
    cursor: typeof cursor === 'string' ? (JSON.parse(cursor) as CursorRecord) : null,
    policy:
      policy === '='
        ? 'unchanged'
        : typeof policy === 'string' && policy !== ''
          ? {
              tokenId,
              policy: JSON.parse(policy) as unknown,
              revision: Number(revision),
              updatedAt: String(updatedAt),
            }
          : null,
    devices: countsOf(counts as unknown[]),
    pending: {
      replan: flags[0] === true,
      assign: flags[1] === true,
      retries: flags[2] === true,
      dueRetries: flags[3] === true,
    },
    unresolved: toUnresolved(unresolved, firstSerial, firstReason),
    session: typeof session === 'string' ? (JSON.parse(session) as SessionRecord) : null,
  };
}

/** `runs.end` over Redis: one script. @internal */
export async function endRun(r: RedisConnection, input: RunEndWrite): Promise<SyncRunEnd> {
  const { tokenId, runId, outcome, keep, token, lease } = input;
  const b = r.base(tokenId);
  const keys = ['token', 'runs', 'runidx', 'lease', 'cursor'].map((k) => `${b}:${k}`);
  const c = input.cursor;
  const args: (string | number)[] = [
    runId,
    outcomeBody(outcome),
    keep,
    lease === null ? '' : `${lease.generation}:${lease.owner}`,
    ...(c === null
      ? ['', '', '']
      : [
          JSON.stringify({
            tokenId,
            cursor: c.nextCursor,
            phase: c.phase,
            fetchedUntil: c.fetchedUntil,
          }),
          c.expectedCursor === null ? '1' : '0',
          c.expectedCursor ?? '',
        ]),
    token === null ? '0' : '1',
  ];
  if (token !== null) args.push(...updateArgs(token.patch, token.expect));
  const [flat, run, pruned, released, cursor] = (await r.eval(END, keys, args)) as [
    string[] | null,
    string | null,
    number,
    number,
    string | null,
  ];
  return {
    run: typeof run === 'string' ? JSON.parse(run) : null,
    token: toToken(tokenId, flat),
    pruned: Number(pruned),
    released: Number(released) === 1,
    ...(c === null
      ? {}
      : { cursor: typeof cursor === 'string' ? (JSON.parse(cursor) as CursorRecord) : null }),
  };
}
