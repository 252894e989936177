import { InvalidArgumentError } from '../../errors/index.js';
import type { StorageAdapter } from '../adapter.js';
import type { ApiAccounts } from '../api-accounts/api-accounts.js';
import { StorageBase, type StorageBaseOptions } from '../storage-base.js';
import { RedisApiAccounts } from './api-accounts.js';
import { RedisCursorPages } from './cursor-pages.js';
import { RedisDevices } from './devices.js';
import { RedisLeases } from './leases.js';
import { RedisPolicies } from './policy.js';
import { type RedisClientLike, RedisConnection } from './redis-client.js';
import { RedisRetries } from './retries.js';
import { RedisRuns } from './runs.js';
import { RedisSessions } from './sessions.js';
import { RedisTokens } from './tokens.js';

/** Options of {@link RedisStorage}. */
export interface RedisStorageOptions extends StorageBaseOptions {
  /** Your `ioredis` client (RedisStorage never connects or quits it). */
  client: RedisClientLike;
  /** Key prefix (default `abmkit`). Keys look like `<prefix>:{<tokenId>}:devices`. */
  prefix?: string | undefined;
}

/** Checks the options and builds the Redis stores. */
function redisAdapter(options: RedisStorageOptions): StorageAdapter & { prefix: string } {
  const client = options?.client as RedisClientLike | undefined;
  if (!client || typeof client.call !== 'function') {
    throw new InvalidArgumentError(
      'RedisStorage needs `client`: an ioredis client (npm install ioredis; new Redis(url)).',
    );
  }
  const prefix = options.prefix ?? 'abmkit';
  if (!/^[^{}\s]{1,100}$/.test(prefix)) {
    throw new InvalidArgumentError(
      'A Redis key prefix must be 1–100 characters without braces or spaces.',
    );
  }
  const r = new RedisConnection(client, prefix);
  const leases = new RedisLeases(r);
  return {
    prefix,
    capabilities: Object.freeze({
      crossProcessLeases: true,
      atomicPageApply: true,
      ttl: true,
      persistent: true,
    }),
    tokens: new RedisTokens(r),
    sessions: new RedisSessions(r),
    leases,
    cursors: new RedisCursorPages(r),
    devices: new RedisDevices(r),
    retries: new RedisRetries(r),
    runs: new RedisRuns(r),
    policies: new RedisPolicies(r),
    apiAccounts: new RedisApiAccounts(r),
    now: () => r.now(),
    close: async () => {},
  };
}

/**
 * Redis storage over the embedder's `ioredis` client, for one or many replicas.
 *
 * Each token's keys share the `{tokenId}` hash tag (one Cluster slot), so page apply + cursor
 * compare-and-set is one Lua script that also checks the lease generation. Leases are
 * `SET NX PX` with a generation from `INCR`, renewed and released by owner-checking scripts, and
 * expire on the Redis clock. Device listings use sorted-set indexes per status; a sync run's
 * start and end (`beginSyncRun`, `endSyncRun`) are one script each. The cross-token
 * serial index (`<prefix>:serial:<serial>`) is written before each page, so a crash can leave
 * an extra index entry but never a missing one; lookups ignore entries without a device.
 *
 * **One clock: Redis `TIME`.** Every timestamp the stores write (`createdAt`, `updatedAt`,
 * `firstSeenAt`, `removedAt`, a run's id, `startedAt` and `finishedAt`, lease and session
 * expiry) is read from Redis `TIME`, inside the Lua script that writes it, and
 * {@link RedisStorage.now} reads the same clock; the process clock is never used, so replicas
 * with skewed clocks agree. Timestamps the caller passes (`assignedAt`, `nextAttemptAt`, …)
 * are stored as given. (API-account stamps come from the front's `clock` option.)
 *
 * The stores are persistence only; {@link StorageBase} checks the arguments and applies the
 * rules.
 */
export class RedisStorage extends StorageBase {
  /** Business API accounts and token → server links (hashes `<prefix>:api:*`). */
  declare readonly apiAccounts: ApiAccounts;
  readonly #prefix: string;

  constructor(options: RedisStorageOptions) {
    const adapter = redisAdapter(options);
    super(adapter, options);
    this.#prefix = adapter.prefix;
  }

  /** The key prefix. */
  get prefix(): string {
    return this.#prefix;
  }
}
