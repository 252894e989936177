import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vitest from 'vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../src/storage/index.js';
import { describeStorageConformance } from '../../../src/testing/index.js';

async function dumpDir(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const name of await readdir(dir)) parts.push(await readFile(join(dir, name)));
  return Buffer.concat(parts);
}

describeStorageConformance(
  'FileStorage',
  async (ctx) => {
    const directory = await mkdtemp(join(tmpdir(), 'abmkit-fs-conf-'));
    // A tiny compaction threshold so snapshots are exercised by the suite too.
    const storage = new FileStorage({ ...ctx, directory, compactAfterBytes: 64 * 1024 });
    return {
      storage,
      rawDump: async () => {
        await storage.getToken('flush');
        return dumpDir(directory);
      },
      cleanup: async () => {
        await storage.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  },
  { runner: vitest },
);

describe('FileStorage extras', () => {
  const dirs: string[] = [];
  const key = randomBytes(32);
  const fresh = async () => {
    const d = await mkdtemp(join(tmpdir(), 'abmkit-fs-'));
    dirs.push(d);
    return join(d, 'data');
  };
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('persists across close and reopen, with 0700 directory and 0600 files', async () => {
    const directory = await fresh();
    const a = new FileStorage({ directory, encryptionKey: key });
    const g = await a.acquireLease('t', 'A', 60_000);
    await a.applyPage({
      tokenId: 't',
      generation: g?.generation ?? 0,
      expectedCursor: null,
      nextCursor: 'c1',
      phase: 'full',
      devices: [{ serial_number: 'S1' }],
    });
    await a.putSession('t', { sessionToken: 'sess', expiresAt: '2100-01-01T00:00:00Z' });
    await a.compact();
    await a.setPolicy('t', { x: 1 });
    await a.close();
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(directory)) {
      expect((await stat(join(directory, name))).mode & 0o777).toBe(0o600);
    }
    const b = new FileStorage({ directory, encryptionKey: key });
    expect((await b.getCursor('t'))?.cursor).toBe('c1');
    expect((await b.getDevice('t', 'S1'))?.status).toBe('unassigned');
    expect((await b.getSession('t'))?.sessionToken).toBe('sess');
    expect((await b.getPolicy('t'))?.revision).toBe(1);
    await b.close();
  });

  it('refuses a second store on a directory in use, and takes over a dead process lock', async () => {
    const directory = await fresh();
    const a = new FileStorage({ directory });
    await a.saveToken('t', { name: 'x' });
    const b = new FileStorage({ directory });
    await expect(b.getToken('t')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    await a.close();
    // a lock left behind by a process that has exited
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const { hostname } = await import('node:os');
    await writeFile(
      join(directory, 'abmkit.lock'),
      JSON.stringify({ pid: Number(dead.stdout.toString()), host: hostname(), at: '' }),
    );
    expect((await b.getToken('t'))?.name).toBe('x');
    await b.close();
  });

  it('discards a torn journal line (crash mid-append) and keeps every complete operation', async () => {
    const directory = await fresh();
    const a = new FileStorage({ directory });
    const g = await a.acquireLease('t', 'A', 60_000);
    await a.applyPage({
      tokenId: 't',
      generation: g?.generation ?? 0,
      expectedCursor: null,
      nextCursor: 'c1',
      phase: 'full',
      devices: [{ serial_number: 'S1' }],
    });
    await a.close();
    await appendFile(
      join(directory, 'journal.log'),
      '{"seq":99,"changes":[{"op":"cursor","tokenId":"t","value":{"cur',
    );
    const b = new FileStorage({ directory });
    expect((await b.getCursor('t'))?.cursor).toBe('c1');
    await b.setPolicy('t', { ok: true });
    await b.close();
    const c = new FileStorage({ directory });
    expect((await c.getPolicy('t'))?.policy).toEqual({ ok: true });
    await c.close();
  });

  it('appends only the page to the journal, not the whole store', async () => {
    const directory = await fresh();
    const s = new FileStorage({ directory });
    const g = await s.acquireLease('t', 'A', 60_000);
    let cursor: string | null = null;
    for (let p = 0; p < 20; p++) {
      const devices = Array.from({ length: 100 }, (_, i) => ({
        serial_number: `S${p}-${i}`,
        model: 'iPhone',
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
    const before = (await s.diskUsage()).journalBytes;
    await s.applyPage({
      tokenId: 't',
      generation: g?.generation ?? 0,
      expectedCursor: cursor,
      nextCursor: 'last',
      phase: 'full',
      devices: [{ serial_number: 'ONE' }],
    });
    const grown = (await s.diskUsage()).journalBytes - before;
    expect(grown).toBeLessThan(2000);
    expect((await s.countDevices('t')).unassigned).toBe(2001);
    await s.close();
  });
});
