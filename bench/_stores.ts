/**
 * The four stores of the manager benchmarks, each with fresh service state per run (a new
 * PostgreSQL schema, Redis key prefix or temporary directory), and their bare floors: the same
 * writes done the plainest way (one multi-row upsert per page with `pg`, one `MULTI` of `HSET`
 * per page with ioredis, one appended line per page, a `Map`). PostgreSQL statements (every
 * `query` on every pooled client, so also those of clients from `pool.connect()`), connections
 * (pool and server side) and Redis commands (every `sendCommand`, pipelines included) are counted.
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  type AbmManager,
  type AbmStorage,
  FileStorage,
  generateKeyPair,
  type KeyPair,
  MemoryStorage,
} from '../src/index.js';
import { PostgresStorage } from '../src/storage/postgres/index.js';
import { RedisStorage } from '../src/storage/redis/index.js';
import { DATABASE_URL, KEY, mapLimit, REDIS_URL, type SimProcess, uniq } from './_harness.js';

/** Store kinds, in the order they are printed. */
export const KINDS = ['postgres', 'redis', 'file', 'memory'] as const;
/** A store kind. */
export type Kind = (typeof KINDS)[number];

/** Round trips to the services so far. */
export interface Counts {
  statements: number;
  commands: number;
}

/** A `pg.Pool` whose statements and connections are counted. */
export interface CountedPool {
  pool: pg.Pool;
  /** `query` calls on every client of the pool (pool.query goes through one). */
  statements(): number;
  /** Most connections the pool held at once. */
  maxPoolConnections(): number;
  /** Most server sessions of this pool seen in `pg_stat_activity` (sampled every 25 ms). */
  maxServerConnections(): number;
  end(): Promise<void>;
}

/** Opens a counted pool of at most `max` connections. */
export function countedPool(max: number): CountedPool {
  const app = `abmkit-bench-${uniq()}`;
  const url = new URL(DATABASE_URL);
  url.searchParams.set('application_name', app);
  const pool = new pg.Pool({ connectionString: url.toString(), max });
  let statements = 0;
  let maxPool = 0;
  let maxServer = 0;
  pool.on('connect', (client) => {
    maxPool = Math.max(maxPool, pool.totalCount);
    const query = client.query;
    client.query = function (this: pg.PoolClient, ...args: unknown[]) {
      statements++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof client.query;
  });
  const watcher = new pg.Client({ connectionString: DATABASE_URL });
  let watching = true;
  const watch = (async () => {
    await watcher.connect();
    while (watching) {
      const { rows } = await watcher.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [app],
      );
      maxServer = Math.max(maxServer, rows[0]?.n ?? 0);
      await new Promise((r) => setTimeout(r, 25));
    }
    await watcher.end();
  })();
  return {
    pool,
    statements: () => statements,
    maxPoolConnections: () => maxPool,
    maxServerConnections: () => maxServer,
    async end() {
      watching = false;
      await watch;
      await pool.end();
    },
  };
}

/** An ioredis client whose commands are counted. */
export function countedRedis(): { client: Redis; commands(): number } {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let commands = 0;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    commands++;
    return send(...args);
  }) as Redis['sendCommand'];
  return { client, commands: () => commands };
}

/** Services shared by every run of one benchmark process. */
export interface Services {
  pg: CountedPool;
  redis: { client: Redis; commands(): number };
  counts(): Counts;
  close(): Promise<void>;
}

/** Opens the counted pool (`poolMax` connections) and Redis client. */
export function openServices(poolMax = 10): Services {
  const pgc = countedPool(poolMax);
  const redis = countedRedis();
  return {
    pg: pgc,
    redis,
    counts: () => ({ statements: pgc.statements(), commands: redis.commands() }),
    async close() {
      await pgc.end();
      redis.client.disconnect();
    },
  };
}

async function dropPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/**
 * A fresh abmkit store of `kind`; `where` is its schema / key prefix / directory, which `drop()`
 * removes.
 */
export async function openStore(
  kind: Kind,
  s: Services,
): Promise<{ storage: AbmStorage; where: string; drop(): Promise<void> }> {
  switch (kind) {
    case 'postgres': {
      const schema = `abmkit_bench_${uniq()}`;
      const storage = new PostgresStorage({ pool: s.pg.pool, schema, encryptionKey: KEY });
      await storage.migrate();
      return {
        storage,
        where: schema,
        drop: async () => void (await s.pg.pool.query(`DROP SCHEMA "${schema}" CASCADE`)),
      };
    }
    case 'redis': {
      const prefix = `abmkit-bench-${uniq()}`;
      const storage = new RedisStorage({ client: s.redis.client, prefix, encryptionKey: KEY });
      return { storage, where: prefix, drop: () => dropPrefix(s.redis.client, prefix) };
    }
    case 'file': {
      const directory = await mkdtemp(join(tmpdir(), 'abmkit-bench-'));
      const storage = new FileStorage({ directory, encryptionKey: KEY });
      return {
        storage,
        where: directory,
        drop: async () => {
          await storage.close();
          await rm(directory, { recursive: true, force: true });
        },
      };
    }
    case 'memory':
      return {
        storage: new MemoryStorage({ encryptionKey: KEY }),
        where: 'memory',
        drop: async () => {},
      };
  }
}

/** The bare floor of a store: one write of a page of devices and the cursor. */
export interface BareStore {
  writePage(
    tokenId: string,
    devices: readonly { serial_number: string }[],
    cursor: string,
  ): Promise<void>;
  drop(): Promise<void>;
}

/** A fresh bare store of `kind`. */
export async function openBare(kind: Kind, s: Services): Promise<BareStore> {
  switch (kind) {
    case 'postgres': {
      const schema = `abmkit_bare_${uniq()}`;
      const pool = s.pg.pool;
      await pool.query(
        `CREATE SCHEMA "${schema}";
         CREATE TABLE "${schema}".devices (token_id text, serial text, doc jsonb,
           PRIMARY KEY (token_id, serial));
         CREATE TABLE "${schema}".cursors (token_id text PRIMARY KEY, cursor text)`,
      );
      const sql = `WITH d AS (
          INSERT INTO "${schema}".devices
          SELECT $1, x->>'serial_number', x FROM jsonb_array_elements($2::jsonb) x
          ON CONFLICT (token_id, serial) DO UPDATE SET doc = EXCLUDED.doc RETURNING 1)
        INSERT INTO "${schema}".cursors VALUES ($1, $3)
        ON CONFLICT (token_id) DO UPDATE SET cursor = EXCLUDED.cursor`;
      return {
        writePage: async (t, devices, cursor) =>
          void (await pool.query(sql, [t, JSON.stringify(devices), cursor])),
        drop: async () => void (await pool.query(`DROP SCHEMA "${schema}" CASCADE`)),
      };
    }
    case 'redis': {
      const prefix = `abmkit-bare-${uniq()}`;
      const c = s.redis.client;
      return {
        writePage: async (t, devices, cursor) => {
          const m = c.multi();
          if (devices.length > 0) {
            const fields: string[] = [];
            for (const d of devices) fields.push(d.serial_number, JSON.stringify(d));
            m.hset(`${prefix}:${t}:devices`, ...fields);
          }
          m.set(`${prefix}:${t}:cursor`, cursor);
          await m.exec();
        },
        drop: () => dropPrefix(c, prefix),
      };
    }
    case 'file': {
      const dir = await mkdtemp(join(tmpdir(), 'abmkit-bare-'));
      return {
        writePage: (t, devices, cursor) =>
          appendFile(join(dir, `${t}.jsonl`), `${JSON.stringify({ cursor, devices })}\n`),
        drop: () => rm(dir, { recursive: true, force: true }),
      };
    }
    case 'memory': {
      const data = new Map<string, { cursor: string; devices: Map<string, unknown> }>();
      return {
        writePage: async (t, devices, cursor) => {
          let d = data.get(t);
          if (d === undefined) {
            d = { cursor, devices: new Map() };
            data.set(t, d);
          }
          d.cursor = cursor;
          for (const dev of devices) d.devices.set(dev.serial_number, dev);
        },
        drop: async () => data.clear(),
      };
    }
  }
}

let pair: Promise<KeyPair> | undefined;

/**
 * Adds tokens `ids` to `manager` the way an embedder does (key pair, server token file from the
 * simulator, upload), with an empty policy. One key pair is generated per process and imported
 * for every token, to keep RSA key generation out of the setup time.
 */
export async function addTokens(
  manager: AbmManager,
  sim: SimProcess,
  ids: readonly string[],
): Promise<void> {
  pair ??= generateKeyPair({ commonName: 'abmkit-bench' });
  const keys = await pair;
  const files = await sim.issue(keys.certificatePem, ids.length);
  await mapLimit(ids, 8, async (id, i) => {
    await manager.importKeyPair(id, keys);
    await manager.uploadServerToken(id, files[i]!);
    await manager.setPolicy(id, { osDefaults: {} });
  });
}
