/**
 * Benchmark: the ADE simulator serving a full fetch of 1,000,000 devices at 1000 per page over
 * loopback HTTP, read by a bare `fetch` + `res.json()` loop (no abmkit client).
 *
 *   node --import tsx bench/simulator-serve.ts [--devices 1000000]
 *
 * Baseline: a bare node:http server answering every page with one pre-rendered body of the
 * same shape and size (no simulator work), read by the same loop. The ratio shows what the
 * simulator adds on top of HTTP + JSON. Also reports the simulator core alone (no HTTP) and the
 * server's memory after the run (the population is generated on demand, not stored).
 *
 * Servers run in child processes so that their CPU time does not count against the client loop.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createDepSimulator } from '../src/testing/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DEVICES = arg('devices', 1_000_000);
const PAGE = 1000;
const UA = 'abmkit-bench/1.0';
const HEADERS = { 'user-agent': UA, 'x-server-protocol-version': '10' };

type Ready = { url: string; session: string };

function newSim() {
  return createDepSimulator({ devices: DEVICES, seed: 1, session: { ttlMs: 86_400_000 } });
}

async function serveSimulator(): Promise<void> {
  const sim = newSim();
  const url = await sim.listen();
  process.send?.({ url, session: sim.sessions.create() } satisfies Ready);
  process.on('message', (m) => {
    if (m === 'stats') {
      process.send?.({
        rssMb: process.memoryUsage().rss / 1e6,
        heapMb: process.memoryUsage().heapUsed / 1e6,
        stats: sim.devices.stats(),
      });
    }
  });
}

async function serveBaseline(): Promise<void> {
  // One real simulator page, pre-rendered: same shape and size as what the simulator serves.
  const sim = newSim();
  const session = sim.sessions.create();
  const first = await sim.handle({
    method: 'POST',
    path: '/server/devices',
    headers: { ...HEADERS, 'x-adm-auth-session': session },
    body: JSON.stringify({ limit: PAGE }),
  });
  const page = JSON.parse(first.body) as { cursor: string };
  const pages = Math.ceil(DEVICES / PAGE);
  const bodies = [true, false].map((more) =>
    JSON.stringify({ ...page, cursor: 'CURSOR', more_to_follow: more }),
  );
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { n = 0 } = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { n?: number };
      const body = (n + 1 < pages ? bodies[0] : bodies[1]) as string;
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ url: `http://127.0.0.1:${port}`, session: '' } satisfies Ready);
  });
}

function start(mode: string) {
  const child = fork(fileURLToPath(import.meta.url), [mode, '--devices', String(DEVICES)], {
    execArgv: ['--import', 'tsx'],
  });
  const ready = new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  return { child, ready };
}

async function fetchLoop(url: string, session: string, baseline: boolean) {
  const t0 = performance.now();
  let devices = 0;
  let pages = 0;
  let cursor: string | undefined;
  for (;;) {
    const body = baseline ? { n: pages } : { limit: PAGE, ...(cursor ? { cursor } : {}) };
    const res = await fetch(`${url}/server/devices`, {
      method: 'POST',
      headers: { ...HEADERS, 'x-adm-auth-session': session, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as {
      devices: unknown[];
      cursor: string;
      more_to_follow: boolean;
    };
    devices += page.devices.length;
    pages++;
    cursor = page.cursor;
    if (!page.more_to_follow) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    pages,
    devices,
    pagesPerSec: pages / seconds,
    devicesPerSec: devices / seconds,
  };
}

async function coreLoop() {
  const sim = newSim();
  const session = sim.sessions.create();
  const t0 = performance.now();
  let pages = 0;
  let cursor: string | undefined;
  for (;;) {
    const res = await sim.handle({
      method: 'POST',
      path: '/server/devices',
      headers: { ...HEADERS, 'x-adm-auth-session': session },
      body: JSON.stringify({ limit: PAGE, ...(cursor ? { cursor } : {}) }),
    });
    pages++;
    const page = JSON.parse(res.body) as { cursor: string; more_to_follow: boolean };
    cursor = page.cursor;
    if (!page.more_to_follow) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, pages, pagesPerSec: pages / seconds };
}

async function main(): Promise<void> {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `simulator-serve: full fetch of ${fmt(DEVICES)} devices, ${PAGE} per page, loopback HTTP`,
  );

  const base = start('--baseline');
  const b = await base.ready;
  const baseline = await fetchLoop(b.url, b.session, true);
  base.child.kill();

  const simProc = start('--simulator');
  const s = await simProc.ready;
  const served = await fetchLoop(s.url, s.session, false);
  if (served.devices !== DEVICES)
    throw new Error(`expected ${DEVICES} devices, got ${served.devices}`);
  simProc.child.send('stats');
  const mem = await new Promise<{ rssMb: number; heapMb: number; stats: unknown }>((resolve) =>
    simProc.child.once('message', (m) => resolve(m as never)),
  );
  simProc.child.kill();

  const core = await coreLoop();

  console.log(
    `  baseline (static body):  ${fmt(baseline.pagesPerSec)} pages/s  ${fmt(baseline.devicesPerSec)} devices/s  (${baseline.seconds.toFixed(1)} s)`,
  );
  console.log(
    `  simulator over HTTP:     ${fmt(served.pagesPerSec)} pages/s  ${fmt(served.devicesPerSec)} devices/s  (${served.seconds.toFixed(1)} s)`,
  );
  console.log(
    `  ratio simulator/baseline time: ${(served.seconds / baseline.seconds).toFixed(2)}×`,
  );
  console.log(
    `  simulator core alone:    ${fmt(core.pagesPerSec)} pages/s  ${fmt(core.pagesPerSec * PAGE)} devices/s  (${core.seconds.toFixed(1)} s, no HTTP)`,
  );
  console.log(
    `  simulator process after the run: rss ${mem.rssMb.toFixed(0)} MB, heap ${mem.heapMb.toFixed(0)} MB, ${JSON.stringify(mem.stats)}`,
  );
}

if (process.argv.includes('--simulator')) await serveSimulator();
else if (process.argv.includes('--baseline')) await serveBaseline();
else await main();
