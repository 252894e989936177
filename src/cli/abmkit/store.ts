import { resolve } from 'node:path';
import { DriverMissingError, StorageError } from '../../errors/storage-errors.js';
import { FileStorage } from '../../storage/file/file-storage.js';
import type { AbmStorage } from '../../storage/types.js';
import { UsageError } from './exit.js';

/** An opened store and how to release it. */
export interface OpenedStore {
  storage: AbmStorage;
  /** What to show the operator (no password). */
  label: string;
  close(): Promise<void>;
}

function safeUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  return copy.href;
}

function errorText(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? String(error);
}

/** Opens `--store file:DIR | postgres://… | redis://…` (or `ABMKIT_STORE`). */
export async function openStore(
  spec: string | undefined,
  key: Uint8Array | undefined,
): Promise<OpenedStore> {
  if (spec === undefined || spec.trim() === '') {
    throw new UsageError(
      'no store: pass --store file:DIR | postgres://… | redis://… or set ABMKIT_STORE',
    );
  }
  const text = spec.trim();
  const secrets = key === undefined ? {} : { encryptionKey: key };
  if (text.startsWith('file:')) {
    const dir = text.slice(text.startsWith('file://') ? 7 : 5);
    if (dir === '')
      throw new UsageError('--store file: needs a directory, e.g. file:./abmkit-data');
    const storage = new FileStorage({ directory: resolve(dir), ...secrets });
    return { storage, label: `file:${resolve(dir)}`, close: () => storage.close() };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--store must be file:DIR, postgres://… or redis://… (got "${text.split(':')[0]}:…")`,
    );
  }
  if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    const [pg, { PostgresStorage }] = await Promise.all([
      import('pg').catch((cause: unknown) => {
        throw new DriverMissingError('pg', { cause });
      }),
      import('../../storage/postgres/index.js'),
    ]);
    const Pool = (pg as { default?: { Pool: typeof import('pg').Pool } }).default?.Pool ?? pg.Pool;
    const pool = new Pool({ connectionString: url.href, connectionTimeoutMillis: 5000, max: 4 });
    pool.on('error', () => undefined);
    try {
      await pool.query('select 1');
    } catch (cause) {
      await pool.end().catch(() => undefined);
      throw new StorageError(
        `PostgreSQL at ${url.hostname}:${url.port || 5432} is unreachable (${errorText(cause)}); check --store / ABMKIT_STORE and that the server is up.`,
        { cause },
      );
    }
    const storage = new PostgresStorage({
      pool,
      ...(schema === undefined ? {} : { schema }),
      ...secrets,
    });
    try {
      await storage.migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return {
      storage,
      label: safeUrl(url),
      close: async () => {
        await storage.close();
        await pool.end();
      },
    };
  }
  if (url.protocol === 'redis:' || url.protocol === 'rediss:') {
    const prefix = url.searchParams.get('prefix') ?? undefined;
    url.searchParams.delete('prefix');
    const [ioredis, { RedisStorage }] = await Promise.all([
      import('ioredis').catch((cause: unknown) => {
        throw new DriverMissingError('ioredis', { cause });
      }),
      import('../../storage/redis/index.js'),
    ]);
    const Redis = ioredis.Redis;
    const client = new Redis(url.href, {
      lazyConnect: true,
      connectTimeout: 5000,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (cause) {
      client.disconnect();
      throw new StorageError(
        `Redis at ${url.hostname}:${url.port || 6379} is unreachable (${errorText(cause)}); check --store / ABMKIT_STORE and that the server is up.`,
        { cause },
      );
    }
    const storage = new RedisStorage({
      client,
      ...(prefix === undefined ? {} : { prefix }),
      ...secrets,
    });
    return {
      storage,
      label: safeUrl(url),
      close: async () => {
        await storage.close();
        await client.quit().catch(() => client.disconnect());
      },
    };
  }
  throw new UsageError(
    `--store must be file:DIR, postgres://… or redis://… (got "${url.protocol}…")`,
  );
}
