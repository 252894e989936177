/**
 * Operators' tools: `abmkit` start-up (vs a bare `node -e 0`), a read command on a file store,
 * and the admin handler's devices route (vs calling the manager directly), interleaved rounds,
 * min / median / max, load average printed. Needs `npm run build` (the CLI runs from dist/).
 *
 *   node --import tsx bench/cli-admin.ts
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminHandler } from '../src/admin/index.js';
import { AbmManager, MemoryStorage, profilePreset } from '../src/index.js';
import { createDepSimulator } from '../src/testing/index.js';

const CLI = join(import.meta.dirname, '../dist/cli/abmkit.js');
const ROUNDS = 8;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0]!.toFixed(1)}  median ${s[Math.floor(s.length / 2)]!.toFixed(1)}  max ${s.at(-1)!.toFixed(1)}`;
};
const time = (args: string[], env: Record<string, string> = {}) => {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return performance.now() - start;
};

console.log(
  `node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${ROUNDS} interleaved rounds\n`,
);

// 1. Start-up and a read command, each beside the bare baseline.
const dir = await mkdtemp(join(tmpdir(), 'abmkit-bench-'));
const env = { ABMKIT_STORE: `file:${dir}`, ABMKIT_KEY: randomBytes(32).toString('hex') };
time([CLI, 'keygen', 'bench', '--out', join(dir, 'cert.pem')], env);
const bare: number[] = [];
const version: number[] = [];
const list: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  bare.push(time(['-e', '0']));
  version.push(time([CLI, '--version']));
  list.push(time([CLI, 'token', 'list', '--json'], env));
}
console.log(`baseline: node -e 0                  ms  ${stats(bare)}`);
console.log(`abmkit --version                     ms  ${stats(version)}`);
console.log(`abmkit token list --json (file)      ms  ${stats(list)}`);
await rm(dir, { recursive: true, force: true });

// 2. Admin handler: a page of 100 devices through the route vs the manager call behind it.
const sim = createDepSimulator({ devices: 5000, seed: 3 });
const baseUrl = await sim.listen();
const storage = new MemoryStorage({ encryptionKey: randomBytes(32) });
const manager = new AbmManager({ storage, baseUrl, telemetry: false });
const pem = await manager.createKeyPair('t');
await manager.uploadServerToken('t', (await sim.issueServerToken(pem)).file);
const client = await manager.client('t');
const uuid = (
  await client.defineProfile(profilePreset('automated', { name: 'p', url: 'https://x.example' }))
).profile_uuid;
await manager.setPolicy('t', { osDefaults: { ios: uuid, ipados: uuid, macos: uuid } });
await manager.syncNow('t');
const handler = createAdminHandler(manager, { authorize: () => true });
const N = 300;
const direct: number[] = [];
const routed: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  let start = performance.now();
  for (let j = 0; j < N; j++)
    await manager.listDevices('t', {
      status: ['unassigned', 'assigned', 'pushed', 'enrolled'],
      limit: 100,
    });
  direct.push((N / (performance.now() - start)) * 1000);
  start = performance.now();
  for (let j = 0; j < N; j++)
    await (await handler(new Request('http://x/tokens/t/devices?limit=100'))).text();
  routed.push((N / (performance.now() - start)) * 1000);
}
console.log(`\nbaseline: manager.listDevices(100)   req/s  ${stats(direct)}`);
console.log(`GET /tokens/t/devices?limit=100      req/s  ${stats(routed)}`);
handler.close();
await manager.stop();
await sim.close();
