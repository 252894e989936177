/**
 * Benchmark: a full fetch of N devices (1000 per page) from a loopback server, through
 * `client.devices()` and `client.devicePages()` versus a bare `fetch` + `JSON.parse` loop (#13 case d).
 *
 *   node --expose-gc --import tsx bench/client-fetch.ts            # quick: 20,000 devices, 3 runs
 *   node --expose-gc --import tsx bench/client-fetch.ts --full     # 100,000 devices, 5 runs
 *   … [--devices N] [--runs N]
 *
 * The three loops run interleaved (order rotated each round); prints wall and CPU time
 * (process.cpuUsage) min/median/max of each, ratios of medians to the bare loop, and peak RSS /
 * heap growth of one client run.
 */

import { fork } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AbmClient } from '../src/index.js';
import { abmkitFetch, arg, FETCH_LABEL, fmt, interleave, loadLine, ratio } from './_harness.js';

const TOTAL = arg('devices', 20_000, 100_000);
const PAGE = 1000;
const RUNS = arg('runs', 3, 5);
const PAGES = Math.ceil(TOTAL / PAGE);

// The server runs in a child process so that its CPU time does not count against either loop.
if (process.argv.includes('--serve')) {
  startServer();
} else {
  await main();
}

function startServer(): void {
  function makePage(index: number): string {
    const devices = [];
    for (let i = index * PAGE; i < Math.min(TOTAL, (index + 1) * PAGE); i++) {
      const serial = `C02${String(i).padStart(9, '0')}`;
      devices.push({
        serial_number: serial,
        model: 'MacBook Pro',
        description: 'MBP 14.2 SPACE GRAY/M3/16GB/512GB',
        color: 'SPACE GRAY',
        asset_tag: `TAG-${i}`,
        profile_status: i % 3 === 0 ? 'assigned' : 'empty',
        profile_uuid: i % 3 === 0 ? 'C1F123098EB5074580041E69883004C3' : undefined,
        profile_assign_time: '2024-04-01T10:00:00Z',
        device_assigned_date: '2024-03-01T09:00:00Z',
        device_assigned_by: 'admin@example.com',
        os: 'OSX',
        device_family: 'Mac',
      });
    }
    const next = index + 1;
    return JSON.stringify({
      devices,
      cursor: `p${next}`,
      more_to_follow: next < PAGES,
      fetched_until: '2024-05-01T00:00:00Z',
    });
  }

  // Pages are rendered once up front so that both loops measure the client side only.
  const pages = Array.from({ length: PAGES }, (_, i) => makePage(i));

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  let requests = 0;
  process.on('message', (m) => {
    if (m === 'requests') process.send?.({ requests });
  });
  const server = createServer((req, res) => {
    requests++;
    void (async () => {
      const body = await readBody(req);
      if (req.url === '/session') return send(res, 200, '{"auth_session_token":"bench-session"}');
      const cursor = body ? ((JSON.parse(body) as { cursor?: string }).cursor ?? '') : '';
      if (req.url === '/server/devices') {
        const index = cursor ? Number(cursor.slice(1)) : 0;
        if (index >= PAGES) return send(res, 400, '"EXHAUSTED_CURSOR"');
        return send(res, 200, pages[index] ?? '{}');
      }
      if (req.url === '/devices/sync') {
        return send(res, 200, JSON.stringify({ devices: [], cursor, more_to_follow: false }));
      }
      send(res, 404, '"NOT_FOUND"');
    })();
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({
      port: (server.address() as AddressInfo).port,
      bytes: pages.reduce((sum, p) => sum + p.length, 0),
    });
  });
}

async function main(): Promise<void> {
  const worker = fork(fileURLToPath(import.meta.url), ['--serve', ...process.argv.slice(2)], {
    execArgv: ['--import', 'tsx'],
  });
  const { port, bytes } = await new Promise<{ port: number; bytes: number }>((resolve) =>
    worker.once('message', resolve),
  );
  const base = `http://127.0.0.1:${port}`;

  async function bare(): Promise<number> {
    let count = 0;
    let cursor: string | undefined;
    for (;;) {
      const res = await fetch(`${base}/server/devices`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json;charset=UTF8',
          'x-adm-auth-session': 'bench-session',
        },
        body: JSON.stringify(cursor ? { cursor, limit: PAGE } : { limit: PAGE }),
      });
      const page = JSON.parse(await res.text()) as {
        devices: unknown[];
        cursor: string;
        more_to_follow: boolean;
      };
      count += page.devices.length;
      cursor = page.cursor;
      if (!page.more_to_follow) return count;
    }
  }

  const transport = abmkitFetch();
  const client = new AbmClient({
    token: {
      consumerKey: 'CK_bench',
      consumerSecret: 'CS_bench',
      accessToken: 'AT_bench',
      accessSecret: 'AS_bench',
      accessTokenExpiry: new Date(Date.now() + 86_400_000),
    },
    baseUrl: base,
    userAgent: 'abmkit-bench/1',
    ...transport.options,
  });

  async function viaClient(): Promise<number> {
    let count = 0;
    for await (const device of client.devices({ limit: PAGE })) {
      if (device.serial_number) count++;
    }
    return count;
  }

  async function viaPages(): Promise<number> {
    let count = 0;
    for await (const page of client.devicePages({ limit: PAGE })) count += page.devices.length;
    return count;
  }

  const served = () =>
    new Promise<number>((resolve) => {
      worker.once('message', (m: { requests: number }) => resolve(m.requests));
      worker.send('requests');
    });

  /** Wall and CPU time (user + system, this process) and HTTP requests of one full fetch. */
  async function time(
    fn: () => Promise<number>,
  ): Promise<{ ms: number; cpuMs: number; http: number }> {
    const before = await served();
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const n = await fn();
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpuStart);
    if (n !== TOTAL) throw new Error(`expected ${TOTAL} devices, got ${n}`);
    return { ms, cpuMs: (used.user + used.system) / 1000, http: (await served()) - before };
  }

  // Warm up every path (JIT, connection pool, session), then interleave them.
  await time(bare);
  await time(viaClient);
  await time(viaPages);
  const runs = await interleave(RUNS, {
    bare: () => time(bare),
    'client.devices()': () => time(viaClient),
    'client.devicePages()': () => time(viaPages),
  });
  const wall = (k: string) => runs[k]!.map((r) => r.ms);
  const cpuOf = (k: string) => runs[k]!.map((r) => r.cpuMs);
  console.log(
    `client-fetch: ${TOTAL} devices, ${PAGES} pages of ${PAGE}, ${RUNS} interleaved runs, ${FETCH_LABEL}; ${loadLine()}`,
  );
  for (const k of Object.keys(runs)) {
    const vs =
      k === 'bare'
        ? ''
        : `  wall ${ratio(wall(k), wall('bare'))}, CPU ${ratio(cpuOf(k), cpuOf('bare'))} of bare`;
    console.log(
      `  ${k.padEnd(22)}: wall ${fmt(wall(k), 'ms', 1)}, CPU ${fmt(cpuOf(k), 'ms')}, ` +
        `${fmt(runs[k]!.map((r) => r.http))} HTTP requests${vs}`,
    );
  }
  console.log(
    '  (HTTP requests counted at the server; the bare loop starts with a session; #13 target: CPU ≤ 1.3× of bare)',
  );

  // Memory: peak RSS and heap during one client run, sampled every 5 ms.
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  let peakHeap = heapBefore;
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 5);
  await time(viaClient);
  clearInterval(sampler);
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;

  const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    `  peak heap growth        : ${mb(peakHeap - heapBefore)}  (one page is ~${mb(bytes / PAGES)} of JSON)`,
  );
  console.log(`  peak RSS growth         : ${mb(peakRss - rssBefore)}`);
  console.log(
    `  heap retained after run : ${mb(heapAfter - heapBefore)}${global.gc ? '' : ' (run with --expose-gc for exact figures)'}`,
  );
  transport.close();
  worker.kill();
}
