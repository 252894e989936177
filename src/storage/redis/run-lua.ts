import type { RunOutcome } from '../adapter.js';

/**
 * Lua and arguments shared by the run store (`runs.ts`) and the one-step run end
 * (`run-bracket.ts`).
 * @module
 */

/**
 * Lua: `finish_run(runs, runId, body)` stamps `finishedAt` and the result (`body`: the JSON of
 * status, report and error without its '{'), keeping the run's identity fields. Returns the new
 * JSON, or false for an unknown run. Needs LUA_CLOCK. Shared with the one-step run end.
 * @internal
 */
export const RUN_FINISH_LUA = `
local function finish_run(runs_key, run_id, body)
  local raw = redis.call('HGET', runs_key, run_id)
  if not raw then return false end
  local r = cjson.decode(raw)
  local head = cjson.encode({ runId = r.runId, tokenId = r.tokenId, owner = r.owner,
    startedAt = r.startedAt, finishedAt = clock() })
  local doc = string.sub(head, 1, -2) .. ',' .. body
  redis.call('HSET', runs_key, run_id, doc)
  return doc
end`;

/** The result of a finished run as `finish_run` takes it: its JSON without the '{'. @internal */
export function outcomeBody({ status, report, error }: RunOutcome): string {
  return JSON.stringify({ status, report, error }).slice(1);
}
