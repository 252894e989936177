import { newRunId } from '../../domain/devices.js';
import type { RunEndWrite, RunOutcome, RunPersistence } from '../adapter.js';
import type { BeginSyncRunInput, Page, SyncRunBegin, SyncRunEnd, SyncRunRecord } from '../types.js';
import { LUA_CLOCK, type RedisConnection, script } from './redis-client.js';
import { beginRun, endRun } from './run-bracket.js';
import { outcomeBody, RUN_FINISH_LUA } from './run-lua.js';

/**
 * Sync runs: `<base>:runs` holds each run's JSON by id, `<base>:runidx` orders the ids. A run's
 * id and `startedAt` come from Redis `TIME` (read just before the write); `finishedAt` is
 * stamped in Lua.
 * @module
 */

/** KEYS[1]=runs KEYS[2]=runidx; ARGV runId, the run's JSON. */
const START = script(`redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return 1`);

/** KEYS[1]=runs; ARGV runId, the result's JSON without '{'. Returns the new JSON, or nil. */
const FINISH = script(`${LUA_CLOCK}${RUN_FINISH_LUA}
return finish_run(KEYS[1], ARGV[1], ARGV[2])`);

/** KEYS[1]=runs KEYS[2]=runidx; ARGV run ids to remove. */
const PRUNE = script(`redis.call('HDEL', KEYS[1], unpack(ARGV))
redis.call('ZREM', KEYS[2], unpack(ARGV))
return 1`);

/** {@link RunPersistence} over Redis. @internal */
export class RedisRuns implements RunPersistence {
  /** @param r - The shared connection. */
  constructor(private readonly r: RedisConnection) {}

  async start(tokenId: string, owner: string | null): Promise<SyncRunRecord> {
    const b = this.r.base(tokenId);
    const startedAt = await this.r.now();
    const run: SyncRunRecord = {
      runId: newRunId(Date.parse(startedAt)),
      tokenId,
      owner,
      status: 'running',
      startedAt,
      finishedAt: null,
      report: null,
      error: null,
    };
    await this.r.eval(START, [`${b}:runs`, `${b}:runidx`], [run.runId, JSON.stringify(run)]);
    return run;
  }

  async finish(tokenId: string, runId: string, outcome: RunOutcome): Promise<SyncRunRecord | null> {
    const body = outcomeBody(outcome);
    const doc = await this.r.eval(FINISH, [`${this.r.base(tokenId)}:runs`], [runId, body]);
    return typeof doc === 'string' ? (JSON.parse(doc) as SyncRunRecord) : null;
  }

  async list(
    tokenId: string,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<SyncRunRecord>> {
    const { limit } = query;
    const b = this.r.base(tokenId);
    const from = query.cursor === undefined ? '+' : `(${query.cursor}`;
    const ids = (await this.r.cmd(
      'ZREVRANGEBYLEX',
      `${b}:runidx`,
      from,
      '-',
      'LIMIT',
      0,
      limit + 1,
    )) as string[];
    const page = ids.slice(0, limit);
    const raws = (page.length === 0 ? [] : await this.r.cmd('HMGET', `${b}:runs`, ...page)) as (
      | string
      | null
    )[];
    const items = raws
      .filter((r): r is string => r !== null)
      .map((r) => JSON.parse(r) as SyncRunRecord);
    return { items, nextCursor: ids.length > limit ? (page.at(-1) ?? null) : null };
  }

  async prune(tokenId: string, keep: number): Promise<number> {
    const b = this.r.base(tokenId);
    const old = (await this.r.cmd('ZRANGE', `${b}:runidx`, 0, -(keep + 1))) as string[];
    if (old.length === 0) return 0;
    await this.r.eval(PRUNE, [`${b}:runs`, `${b}:runidx`], old);
    return old.length;
  }

  /** The run start in one script (see `run-bracket.ts`). */
  async begin(input: BeginSyncRunInput): Promise<SyncRunBegin> {
    return beginRun(this.r, input);
  }

  /** The run end in one script (see `run-bracket.ts`). */
  async end(input: RunEndWrite): Promise<SyncRunEnd> {
    return endRun(this.r, input);
  }
}
