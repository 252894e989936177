import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../src/storage/index.js';

const key = randomBytes(32);
const dirs: string[] = [];
async function fresh(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'abmkit-fs-snap-'));
  dirs.push(d);
  return join(d, 'data');
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Fills a store: a token, a session, a lease, a cursor, a policy and `n` devices in pages. */
async function fill(s: FileStorage, n: number, extra: Record<string, unknown> = {}) {
  await s.saveToken('t', { name: 'Tenant "one"\n],', customerId: 'c1' });
  await s.putSession('t', { sessionToken: 'sess-secret', expiresAt: '2100-01-01T00:00:00Z' });
  const g = await s.acquireLease('t', 'A', 60_000);
  let cursor: string | null = null;
  for (let p = 0; p * 500 < n; p++) {
    const devices = Array.from({ length: Math.min(500, n - p * 500) }, (_, i) => ({
      serial_number: `S${String(p * 500 + i).padStart(6, '0')}`,
      description: 'line one\nline two ], ]}} \u2028 é',
      ...extra,
    }));
    await s.applyPage({
      tokenId: 't',
      generation: g?.generation ?? 0,
      expectedCursor: cursor,
      nextCursor: `c${p}`,
      phase: 'full',
      devices,
    });
    cursor = `c${p}`;
  }
  await s.setPolicy('t', { osDefaults: { ios: 'P1' } });
  return cursor;
}

async function expectFilled(s: FileStorage, n: number, cursor: string | null) {
  expect((await s.getToken('t'))?.name).toBe('Tenant "one"\n],');
  expect((await s.getSession('t'))?.sessionToken).toBe('sess-secret');
  expect((await s.getCursor('t'))?.cursor).toBe(cursor);
  expect((await s.getPolicy('t'))?.policy).toEqual({ osDefaults: { ios: 'P1' } });
  expect((await s.countDevices('t')).unassigned).toBe(n);
  const last = await s.getDevice('t', `S${String(n - 1).padStart(6, '0')}`);
  expect(last?.device.description).toBe('line one\nline two ], ]}} \u2028 é');
  expect(await s.acquireLease('t', 'B', 60_000)).toBeNull();
}

describe('FileStorage snapshots', () => {
  it('writes one JSON document of the version-1 shape, one record per line', async () => {
    const directory = await fresh();
    const s = new FileStorage({ directory, encryptionKey: key });
    await fill(s, 1200);
    await s.compact();
    await s.close();
    const text = await readFile(join(directory, 'state.json'), 'utf8');
    // what the previous loader did: JSON.parse of the whole file
    const doc = JSON.parse(text) as {
      format: string;
      version: number;
      seq: number;
      image: Record<string, unknown[]>;
    };
    expect(doc.format).toBe('abmkit-file-storage');
    expect(doc.version).toBe(1);
    expect(doc.seq).toBeGreaterThan(0);
    expect(Object.keys(doc.image)).toEqual([
      'tokens',
      'sessions',
      'leases',
      'cursors',
      'policies',
      'devices',
      'retries',
      'runs',
    ]);
    expect(doc.image['devices']).toHaveLength(1200);
    expect(doc.image['leases']?.[0]).toEqual(['t', expect.objectContaining({ owner: 'A' })]);
    // streamed: no line holds more than one record
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(1200);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(4000);
    expect(text).not.toContain('sess-secret');
  });

  it('opens a directory written by the previous version (one-line snapshot + journal) and migrates it on compaction', async () => {
    const directory = await fresh();
    const a = new FileStorage({ directory, encryptionKey: key });
    await fill(a, 1200);
    await a.compact();
    await a.close();
    // Rewrite the snapshot exactly as the previous writer did (JSON.stringify of the whole
    // snapshot object on one line) and append a journal entry after it, as it would have.
    const path = join(directory, 'state.json');
    const doc = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const legacy = JSON.stringify({
      format: doc['format'],
      version: doc['version'],
      seq: doc['seq'],
      image: doc['image'],
    });
    expect(legacy).not.toContain('\n');
    await writeFile(path, legacy, { mode: 0o600 });
    const b0 = new FileStorage({ directory, encryptionKey: key });
    const before = await b0.getCursor('t');
    await b0.close();
    await appendFile(
      join(directory, 'journal.log'),
      `${JSON.stringify({
        seq: Number(doc['seq']) + 1,
        changes: [{ op: 'cursor', tokenId: 't', value: { ...before, cursor: 'from-journal' } }],
      })}\n`,
    );
    const b = new FileStorage({ directory, encryptionKey: key });
    await expectFilled(b, 1200, 'from-journal');
    await b.compact();
    await b.close();
    const migrated = await readFile(path, 'utf8');
    expect(migrated.slice(0, migrated.indexOf('\n'))).toContain('"layout":"lines"');
    const c = new FileStorage({ directory, encryptionKey: key });
    await expectFilled(c, 1200, 'from-journal');
    await c.close();
  });

  it('round-trips through automatic compactions and journal lines larger than a read chunk', async () => {
    const directory = await fresh();
    // ~3 KB per device: a 500-device page is a journal line of ~1.5 MB (more than one 1 MiB read)
    const big = { notes: 'x'.repeat(2500) };
    const a = new FileStorage({ directory, encryptionKey: key, compactAfterBytes: 4_000_000 });
    const cursor = await fill(a, 4100, big);
    const usage = await a.diskUsage();
    expect(usage.snapshotBytes).toBeGreaterThan(0);
    expect(usage.journalBytes).toBeGreaterThan(1.2 * 1024 * 1024);
    await a.close();
    const b = new FileStorage({ directory, encryptionKey: key });
    await expectFilled(b, 4100, cursor);
    const d = await b.getDevice('t', 'S000042');
    expect((d?.device as Record<string, unknown> | undefined)?.['notes']).toHaveLength(2500);
    await b.close();
  });

  it('queues compact() behind writes in flight: no concurrent operation is lost', async () => {
    const directory = await fresh();
    const a = new FileStorage({ directory, encryptionKey: key });
    await a.saveToken('t', { name: 'x' });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      writes.push(a.saveToken(`t${i}`, { name: `n${i}` }));
      if (i % 10 === 5) writes.push(a.compact());
    }
    await Promise.all(writes);
    await a.close();
    const b = new FileStorage({ directory, encryptionKey: key });
    const names = new Set<string>();
    for (let i = 0; i < 50; i++) names.add((await b.getToken(`t${i}`))?.name ?? 'missing');
    expect(names.size).toBe(50);
    expect(names.has('missing')).toBe(false);
    await b.close();
  });

  it('refuses a damaged snapshot instead of opening empty', async () => {
    const directory = await fresh();
    const a = new FileStorage({ directory, encryptionKey: key });
    await fill(a, 600);
    await a.compact();
    await a.close();
    const path = join(directory, 'state.json');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, Math.floor(text.length / 2)));
    const b = new FileStorage({ directory, encryptionKey: key });
    await expect(b.getToken('t')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    await writeFile(path, '{"format":"something-else","version":1,"seq":1,"image":{}}');
    await expect(b.getToken('t')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    // the lock was released on each failure: a good snapshot opens again
    await writeFile(path, text);
    expect((await b.getToken('t'))?.name).toBe('Tenant "one"\n],');
    await b.close();
  });
});
