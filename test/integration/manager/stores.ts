import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { FileStorage, MemoryStorage } from '../../../src/index.js';
import { PostgresStorage } from '../../../src/storage/postgres/index.js';
import { RedisStorage } from '../../../src/storage/redis/index.js';
import type { AbmStorage } from '../../../src/storage/types.js';
import { shouldRun } from '../storage/services.js';

/** The storage encryption key of these tests. */
export const KEY = Buffer.alloc(32, 3);

/** A way to open stores of one adapter, sharing one backing database per `open(name)`. */
export interface StoreKind {
  name: string;
  /** Whether the backing service answers (memory and file: always). */
  available: boolean;
  /** Opens a store on the namespace `ns` (same `ns` = same data). */
  open(ns: string): Promise<AbmStorage>;
  /** Drops everything created and closes connections. */
  dispose(): Promise<void>;
}

const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

export const DATABASE_URL =
  process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export function memoryKind(): StoreKind {
  const stores = new Map<string, AbmStorage>();
  return {
    name: 'MemoryStorage',
    available: true,
    open: async (ns) => {
      let s = stores.get(ns);
      if (s === undefined) {
        s = new MemoryStorage({ encryptionKey: KEY });
        stores.set(ns, s);
      }
      return s;
    },
    dispose: async () => {},
  };
}

export function fileKind(): StoreKind {
  const dirs: string[] = [];
  const base = join(tmpdir(), `abmkit-mgr-${runId}`);
  return {
    name: 'FileStorage',
    available: true,
    open: async (ns) => {
      const directory = join(base, ns);
      dirs.push(directory);
      return new FileStorage({ directory, encryptionKey: KEY });
    },
    dispose: async () => {
      await rm(base, { recursive: true, force: true });
    },
  };
}

export async function postgresKind(): Promise<StoreKind> {
  const available = await shouldRun('PostgreSQL', DATABASE_URL, 5432);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 20 });
  const schemas = new Set<string>();
  return {
    name: 'PostgresStorage',
    available,
    open: async (ns) => {
      const schema = `abmkit_mgr_${runId}_${ns.replace(/\W/g, '_')}`;
      schemas.add(schema);
      const storage = new PostgresStorage({ pool, schema, encryptionKey: KEY });
      await storage.migrate();
      return storage;
    },
    dispose: async () => {
      for (const s of schemas) {
        await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
      }
      await pool.end();
    },
  };
}

export async function redisKind(): Promise<StoreKind> {
  const available = await shouldRun('Redis', REDIS_URL, 6379);
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  if (available) await client.connect();
  const prefixes = new Set<string>();
  return {
    name: 'RedisStorage',
    available,
    open: async (ns) => {
      const prefix = `abmkit-mgr-${runId}-${ns}`;
      prefixes.add(prefix);
      return new RedisStorage({ client, prefix, encryptionKey: KEY });
    },
    dispose: async () => {
      if (available) {
        for (const prefix of prefixes) {
          let cursor = '0';
          do {
            const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
            if (keys.length > 0) await client.del(...keys);
            cursor = next;
          } while (cursor !== '0');
        }
      }
      client.disconnect();
    },
  };
}

/** A temporary directory (for child processes). */
export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
