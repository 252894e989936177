/**
 * Storage benchmark: devices upserted per second applying 1000-device pages (atomic page apply +
 * cursor CAS), per adapter; for PostgreSQL also a bare multi-row INSERT … ON CONFLICT over the same
 * rows, and the ratio; then the time to list unassigned devices among a large population.
 *
 *   node --import tsx bench/storage-upsert.ts
 *   BENCH_UPSERT=50000 BENCH_LIST=500000 BENCH_FILE_LIST=100000 node --import tsx bench/storage-upsert.ts
 *
 * Uses DATABASE_URL / REDIS_URL (defaults: 127.0.0.1); cleans up its schema / key prefix / dir.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { AdeDevice } from '../src/schemas/device.js';
import { type AbmStorage, FileStorage, MemoryStorage } from '../src/storage/index.js';
import { PostgresStorage } from '../src/storage/postgres/index.js';
import { RedisStorage } from '../src/storage/redis/index.js';

const UPSERT = Number(process.env['BENCH_UPSERT'] ?? 50_000);
const LIST = Number(process.env['BENCH_LIST'] ?? 500_000);
const FILE_LIST = Number(process.env['BENCH_FILE_LIST'] ?? 100_000);
const PAGE = 1000;
const DB = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const run = randomBytes(3).toString('hex');

function device(i: number, opDate: string): AdeDevice {
  return {
    serial_number: `C02${String(i).padStart(9, '0')}`,
    model: 'MacBook Pro',
    description: 'MBP 14 M3 PRO/18GB/512GB',
    color: 'SPACE BLACK',
    os: 'OSX',
    device_family: 'Mac',
    // one device in ten has no profile: the "unassigned" population
    profile_status: i % 10 === 0 ? 'empty' : 'assigned',
    profile_uuid: i % 10 === 0 ? undefined : 'A1B2C3D4E5F6',
    device_assigned_date: '2025-01-01T00:00:00Z',
    device_assigned_by: 'admin@example.com',
    op_type: 'added',
    op_date: opDate,
  } as AdeDevice;
}

async function applyAll(
  s: AbmStorage,
  tokenId: string,
  count: number,
  opDate: string,
  cursor: string | null,
): Promise<{ ms: number; cursor: string | null }> {
  const lease = await s.acquireLease(tokenId, 'bench', 600_000);
  if (lease === null) throw new Error('lease held');
  let cur = cursor;
  const start = performance.now();
  for (let p = 0; p * PAGE < count; p++) {
    const devices = Array.from({ length: Math.min(PAGE, count - p * PAGE) }, (_, i) =>
      device(p * PAGE + i, opDate),
    );
    const next = `${opDate}-${p}`;
    await s.applyPage({
      tokenId,
      generation: lease.generation,
      expectedCursor: cur,
      nextCursor: next,
      phase: 'full',
      devices,
    });
    cur = next;
  }
  return { ms: performance.now() - start, cursor: cur };
}

async function listUnassigned(
  s: AbmStorage,
  tokenId: string,
): Promise<{ firstMs: number; allMs: number; n: number }> {
  const t0 = performance.now();
  let page = await s.listDevices(tokenId, { status: 'unassigned', limit: PAGE });
  const firstMs = performance.now() - t0;
  let n = page.items.length;
  while (page.nextCursor !== null) {
    page = await s.listDevices(tokenId, {
      status: 'unassigned',
      limit: PAGE,
      cursor: page.nextCursor,
    });
    n += page.items.length;
  }
  return { firstMs, allMs: performance.now() - t0, n };
}

const rate = (n: number, ms: number) =>
  `${Math.round((n / ms) * 1000).toLocaleString('en-US')} devices/s`;

async function benchAdapter(
  name: string,
  s: AbmStorage,
  listCount: number,
  note = '',
): Promise<number> {
  const ins = await applyAll(s, 'bench-upsert', UPSERT, '2025-02-01T00:00:00Z', null);
  const upd = await applyAll(s, 'bench-upsert', UPSERT, '2025-03-01T00:00:00Z', ins.cursor);
  console.log(
    `${name.padEnd(9)} upsert: insert ${rate(UPSERT, ins.ms)}, update ${rate(UPSERT, upd.ms)} (${UPSERT.toLocaleString('en-US')} devices, pages of ${PAGE})`,
  );
  const fill = await applyAll(s, 'bench-list', listCount, '2025-02-01T00:00:00Z', null);
  const l = await listUnassigned(s, 'bench-list');
  console.log(
    `${name.padEnd(9)} list unassigned among ${listCount.toLocaleString('en-US')}: first page ${l.firstMs.toFixed(1)} ms, all ${l.n.toLocaleString('en-US')} in ${l.allMs.toFixed(0)} ms (fill ${rate(listCount, fill.ms)})${note}`,
  );
  return (UPSERT / (ins.ms + upd.ms)) * 2000;
}

async function postgresBaseline(pool: pg.Pool, schema: string): Promise<number> {
  await pool.query(
    `CREATE TABLE "${schema}".bare (token_id text, serial text, device jsonb, op_date text, PRIMARY KEY (token_id, serial))`,
  );
  const one = async (opDate: string) => {
    const start = performance.now();
    for (let p = 0; p * PAGE < UPSERT; p++) {
      const values: unknown[] = [];
      const rows: string[] = [];
      for (let i = 0; i < Math.min(PAGE, UPSERT - p * PAGE); i++) {
        const d = device(p * PAGE + i, opDate);
        values.push(d.serial_number, JSON.stringify(d), opDate);
        const k = values.length;
        rows.push(`('t', $${k - 2}, $${k - 1}::jsonb, $${k})`);
      }
      await pool.query(
        `INSERT INTO "${schema}".bare (token_id, serial, device, op_date) VALUES ${rows.join(',')}
         ON CONFLICT (token_id, serial) DO UPDATE SET device = EXCLUDED.device, op_date = EXCLUDED.op_date
         WHERE bare.op_date IS NULL OR EXCLUDED.op_date >= bare.op_date`,
        values,
      );
    }
    return performance.now() - start;
  };
  const ins = await one('2025-02-01T00:00:00Z');
  const upd = await one('2025-03-01T00:00:00Z');
  console.log(
    `bare SQL  upsert: insert ${rate(UPSERT, ins)}, update ${rate(UPSERT, upd)} (multi-row INSERT … ON CONFLICT, same rows)`,
  );
  return (UPSERT / (ins + upd)) * 2000;
}

async function main(): Promise<void> {
  const key = randomBytes(32);
  console.log(`abmkit storage bench — Node ${process.version}\n`);

  await benchAdapter('memory', new MemoryStorage({ encryptionKey: key }), LIST);

  const dir = await mkdtemp(join(tmpdir(), 'abmkit-bench-'));
  const file = new FileStorage({ directory: dir, encryptionKey: key });
  try {
    await benchAdapter(
      'file',
      file,
      FILE_LIST,
      FILE_LIST < LIST
        ? ` [smaller population: FileStorage keeps everything in memory and journals every page; set BENCH_FILE_LIST]`
        : '',
    );
  } finally {
    await file.close();
    await rm(dir, { recursive: true, force: true });
  }

  const pool = new pg.Pool({ connectionString: DB, max: 4 });
  const schema = `abmkit_bench_${run}`;
  try {
    const pgs = new PostgresStorage({ pool, schema, encryptionKey: key });
    await pgs.migrate();
    const ours = await benchAdapter('postgres', pgs, LIST);
    const bare = await postgresBaseline(pool, schema);
    console.log(
      `postgres  PostgresStorage.applyPage vs bare INSERT … ON CONFLICT: ${(bare / ours).toFixed(2)}× slower (target ≤ 2×; target ≥ 50,000 devices/s: ${ours >= 50_000 ? 'met' : 'NOT met'})`,
    );
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }

  const client = new Redis(REDIS);
  const prefix = `abmkit-bench-${run}`;
  try {
    await benchAdapter('redis', new RedisStorage({ client, prefix, encryptionKey: key }), LIST);
  } finally {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    client.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
