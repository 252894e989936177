/**
 * Local measurement (skipped by bench/run-all.ts): peak RSS / heap of `AbmManager`'s first sync +
 * assignment of N devices from the loopback simulator into FileStorage only (bench/manager-assign.ts
 * runs the same sync into PostgreSQL beside a bare loop), then the time and peak
 * memory of a forced `compact()` and of re-opening the directory.
 *
 *   node --expose-gc --import tsx bench/_file-memory.ts [--devices 100000] [--compact-mb 64] [--memory]
 *
 * `--memory` runs the same sync into MemoryStorage: the floor FileStorage is compared with.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbmManager, FileStorage, MemoryStorage, profilePreset } from '../src/index.js';
import { createDepSimulator } from '../src/testing/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DEVICES = arg('devices', 100_000);
const COMPACT_MB = arg('compact-mb', 64);
const MEMORY = process.argv.includes('--memory');
const KEY = Buffer.alloc(32, 9);
const OS_ALL = (p: string) => ({ ios: p, ipados: p, macos: p, tvos: p, visionos: p, watchos: p });

type ToChild = { issue: string };
async function serve(devices: number): Promise<void> {
  const sim = createDepSimulator({ devices, seed: 1, session: { ttlMs: 86_400_000 } });
  const url = await sim.listen();
  process.send?.({ url });
  process.on('message', async (m: ToChild) => {
    process.send?.({ file: (await sim.issueServerToken(m.issue)).file });
  });
}

function peakMemory(): { stop(): string } {
  let rss = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      const m = process.memoryUsage();
      rss = Math.max(rss, m.rss);
      heap = Math.max(heap, m.heapUsed);
      global.gc?.();
      const after = process.memoryUsage().heapUsed;
      return `peak RSS ${(rss / 1e6).toFixed(0)} MB, peak heap ${(heap / 1e6).toFixed(0)} MB, heap after GC ${(after / 1e6).toFixed(0)} MB`;
    },
  };
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(DEVICES)], {
    execArgv: ['--import', 'tsx'],
  });
  const url = await new Promise<string>((resolve) =>
    child.once('message', (m: { url: string }) => resolve(m.url)),
  );
  const dir = await mkdtemp(join(tmpdir(), 'abmkit-filemem-'));
  try {
    const storage = MEMORY
      ? new MemoryStorage({ encryptionKey: KEY })
      : new FileStorage({
          directory: dir,
          encryptionKey: KEY,
          compactAfterBytes: COMPACT_MB * 1024 * 1024,
        });
    const manager = new AbmManager({ storage, baseUrl: url, pageSize: 1000, telemetry: false });
    const pem = await manager.createKeyPair('bench');
    const file = await new Promise<string>((resolve) => {
      child.once('message', (m: { file: string }) => resolve(m.file));
      child.send({ issue: pem } satisfies ToChild);
    });
    await manager.uploadServerToken('bench', file);
    const client = await manager.client('bench');
    const profile = (
      await client.defineProfile(
        profilePreset('automated', { name: 'All', url: 'https://m.example/e' }),
      )
    ).profile_uuid;
    await manager.setPolicy('bench', { osDefaults: OS_ALL(profile) });
    global.gc?.();
    const base = process.memoryUsage();
    console.log(
      `${MEMORY ? 'MemoryStorage (floor)' : 'FileStorage'}, ${DEVICES.toLocaleString('en')} devices, compactAfterBytes ${COMPACT_MB} MiB; ` +
        `baseline RSS ${(base.rss / 1e6).toFixed(0)} MB, heap ${(base.heapUsed / 1e6).toFixed(0)} MB`,
    );
    let mem = peakMemory();
    let t0 = performance.now();
    const report = await manager.syncNow('bench');
    let ms = performance.now() - t0;
    if (report.status !== 'completed') throw new Error(JSON.stringify(report.error));
    console.log(
      `first sync     ${(ms / 1000).toFixed(2).padStart(6)} s  assigned ${report.profiles.assigned}  ${mem.stop()}`,
    );
    if (storage instanceof MemoryStorage) return;
    console.log(`disk           ${JSON.stringify(await storage.diskUsage())}`);

    mem = peakMemory();
    t0 = performance.now();
    await storage.compact();
    ms = performance.now() - t0;
    console.log(`compact()      ${(ms / 1000).toFixed(2).padStart(6)} s  ${mem.stop()}`);
    const disk = await storage.diskUsage();
    await storage.close();

    const reopened = new FileStorage({ directory: dir, encryptionKey: KEY });
    global.gc?.();
    mem = peakMemory();
    t0 = performance.now();
    const n = (await reopened.listDevices('bench', { limit: 1 })).items.length;
    ms = performance.now() - t0;
    console.log(
      `re-open        ${(ms / 1000).toFixed(2).padStart(6)} s  (snapshot ${(disk.snapshotBytes / 1e6).toFixed(1)} MB, read ${n})  ${mem.stop()}`,
    );
    await reopened.close();
  } finally {
    child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') await serve(Number(process.argv[3]));
else await main();
