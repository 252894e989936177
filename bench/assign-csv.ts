/**
 * Serial Number (CSV) assignment through the Apple Business Manager API: 100,000 serials from a
 * streamed CSV put on an MDM server by `assignDevicesToServer` (chunks of 1000, 4 activities in
 * flight), against the simulator running in a child process with an activity latency of 0, so
 * the time measured is the time beyond the simulator's own latency. Interleaved with a bare
 * baseline: split the CSV lines, POST the same activities with `fetch`, GET each until done, GET
 * its log. Peak heap and RSS of this process are sampled every 10 ms, for 10,000 and 100,000
 * serials (flat means the same).
 *
 *   node --expose-gc --import tsx bench/assign-csv.ts [--serials 100000] [--runs 3]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AbmApiClient } from '../src/api/index.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const SERIALS = arg('serials', 100_000);
const RUNS = arg('runs', 3);
const CHUNK = 1000;
const CONCURRENCY = 4;

const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, '_business-sim.ts'), String(SERIALS), '0'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
const { baseUrl, account, serverId } = JSON.parse(line) as {
  baseUrl: string;
  account: { clientId: string; keyId: string; privateKey: string };
  serverId: string;
};
const serialAt = (i: number): string => `UA${i.toString(36).toUpperCase().padStart(8, '0')}`;

async function* csvChunks(n: number): AsyncGenerator<string> {
  let buf = 'Serial Number\n';
  for (let i = 0; i < n; i++) {
    buf += `${serialAt(i)}\n`;
    if (buf.length >= 65_536) {
      yield buf;
      buf = '';
    }
  }
  yield buf;
}

const client = new AbmApiClient({
  ...account,
  baseUrl,
  tokenUrl: `${baseUrl}/auth/oauth2/token`,
  userAgent: 'bench/1',
});

async function viaAbmkit(n: number): Promise<number> {
  const report = await client.assignDevicesToServer(serverId, csvChunks(n), {
    lookup: false,
    chunkSize: CHUNK,
    concurrency: CONCURRENCY,
    poll: { intervalMs: 5 },
  });
  if (report.failed.length > 0 || report.notFound.length > 0) throw new Error('bench: failures');
  return report.assigned.length;
}

let bearer = '';
async function bare(n: number): Promise<number> {
  const serials: string[] = [];
  let rest = '';
  for await (const chunk of csvChunks(n)) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) if (p !== 'Serial Number' && p !== '') serials.push(p);
  }
  const chunks: string[][] = [];
  for (let i = 0; i < serials.length; i += CHUNK) chunks.push(serials.slice(i, i + CHUNK));
  let next = 0;
  let ok = 0;
  const headers = {
    authorization: `Bearer ${bearer}`,
    'content-type': 'application/json',
    'user-agent': 'bench/1',
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++] as string[];
        const created = (await (
          await fetch(`${baseUrl}/v1/orgDeviceActivities`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              data: {
                type: 'orgDeviceActivities',
                attributes: { activityType: 'ASSIGN_DEVICES' },
                relationships: {
                  mdmServer: { data: { type: 'mdmServers', id: serverId } },
                  devices: { data: chunk.map((id) => ({ type: 'orgDevices', id })) },
                },
              },
            }),
          })
        ).json()) as { data: { id: string } };
        let act: { data: { attributes: { status: string; downloadUrl: string | null } } };
        do {
          act = (await (
            await fetch(`${baseUrl}/v1/orgDeviceActivities/${created.data.id}`, { headers })
          ).json()) as typeof act;
        } while (act.data.attributes.status === 'IN_PROGRESS');
        const log = await (
          await fetch(act.data.attributes.downloadUrl as string, { headers })
        ).text();
        for (const l of log.split('\n')) if (l.endsWith(',SUCCESS,')) ok++;
      }
    }),
  );
  return ok;
}

interface Sample {
  ms: number;
  peakHeapMb: number;
  peakRssMb: number;
}

async function measure(fn: (n: number) => Promise<number>, n: number): Promise<Sample> {
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  let peakHeap = heap0;
  let peakRss = rss0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 10);
  const start = performance.now();
  const done = await fn(n);
  const ms = performance.now() - start;
  clearInterval(timer);
  if (done !== n) throw new Error(`bench: ${done} of ${n} assigned`);
  return { ms, peakHeapMb: (peakHeap - heap0) / 2 ** 20, peakRssMb: (peakRss - rss0) / 2 ** 20 };
}

const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]?.toFixed(0)} / ${s[Math.floor(s.length / 2)]?.toFixed(0)} / ${s.at(-1)?.toFixed(0)}`;
};

try {
  await viaAbmkit(2000);
  {
    // One bearer token for the bare loop (minting it is not what is compared).
    const { mintClientAssertion } = await import('../src/api/assertion.js');
    const { resolveCredentials } = await import('../src/api/credentials.js');
    const creds = resolveCredentials(account);
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: creds.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: mintClientAssertion(creds, { nowMs: Date.now() }),
      scope: creds.scope,
    });
    const res = await fetch(`${baseUrl}/auth/oauth2/token`, { method: 'POST', body });
    bearer = ((await res.json()) as { access_token: string }).access_token;
  }
  await bare(2000);
  console.log(
    `node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `${SERIALS.toLocaleString('en')} serials, chunks of ${CHUNK}, ${CONCURRENCY} activities in flight, simulator activity latency 0; min / median / max of ${RUNS}\n`,
  );
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let r = 0; r < RUNS; r++) {
    b.push(await measure(bare, SERIALS));
    a.push(await measure(viaAbmkit, SERIALS));
  }
  const small = await measure(viaAbmkit, Math.floor(SERIALS / 10));
  console.log(
    `bare fetch loop                 ${stats(b.map((x) => x.ms))} ms   peak heap +${stats(b.map((x) => x.peakHeapMb))} MB`,
  );
  console.log(
    `assignDevicesToServer (CSV)     ${stats(a.map((x) => x.ms))} ms   peak heap +${stats(a.map((x) => x.peakHeapMb))} MB, peak RSS +${stats(a.map((x) => x.peakRssMb))} MB`,
  );
  console.log(
    `ratio (median)                  ${(a.map((x) => x.ms).sort((x, y) => x - y)[Math.floor(RUNS / 2)]! / b.map((x) => x.ms).sort((x, y) => x - y)[Math.floor(RUNS / 2)]!).toFixed(2)}x`,
  );
  console.log(
    `memory at ${(SERIALS / 10).toLocaleString('en')} serials: peak heap +${small.peakHeapMb.toFixed(0)} MB, peak RSS +${small.peakRssMb.toFixed(0)} MB (${small.ms.toFixed(0)} ms)`,
  );
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  child.kill();
}
