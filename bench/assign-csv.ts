/**
 * Serial Number (CSV) assignment through the Apple Business Manager API: serials from a streamed
 * CSV put on an MDM server by `assignDevicesToServer` (chunks of 1000, 4 activities in flight),
 * against the simulator running in a child process with an activity latency of 0, so the time
 * measured is the time beyond the simulator's own latency.
 *
 * 1. Time, at `--serials` (100,000): interleaved with a bare baseline (split the CSV lines, POST
 *    the same activities with `fetch`, GET each until done, GET its log), for the default report
 *    (`'lists'`) and `report: 'counts'`.
 * 2. Peak memory, at each of `--sizes` (10,000, 100,000 and 1,000,000): `report: 'counts'`
 *    `--runs` times and the default report once, sampled with a forced GC every 50 ms (live heap +
 *    array buffers, and RSS; see `_peak-memory.ts`), beside what the exact de-dup index costs
 *    (`SerialSet`) and what a `Set<string>` of the same serials would.
 *
 *   node --expose-gc --import tsx bench/assign-csv.ts [--serials 100000] [--runs 3] [--sizes 10000,100000,1000000]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AbmApiClient } from '../src/api/index.js';
import { SerialSet } from '../src/api/serial-set.js';
import { peakMemory } from './_peak-memory.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const SERIALS = arg('serials', 100_000);
const RUNS = arg('runs', 3);
const at = process.argv.indexOf('--sizes');
const SIZES = (at > 0 ? (process.argv[at + 1] as string) : '10000,100000,1000000')
  .split(',')
  .map(Number);
const POOL = Math.max(SERIALS, ...SIZES);
const CHUNK = 1000;
const CONCURRENCY = 4;

const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, '_business-sim.ts'), String(POOL), '0'],
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

async function viaAbmkit(n: number, report: 'lists' | 'counts' = 'lists'): Promise<number> {
  const options = {
    lookup: false,
    chunkSize: CHUNK,
    concurrency: CONCURRENCY,
    poll: { intervalMs: 5 },
  };
  if (report === 'counts') {
    const { counts } = await client.assignDevicesToServer(serverId, csvChunks(n), {
      ...options,
      report,
    });
    if (counts.failed > 0 || counts.notFound > 0) throw new Error('bench: failures');
    return counts.assigned;
  }
  const full = await client.assignDevicesToServer(serverId, csvChunks(n), options);
  if (full.failed.length > 0 || full.notFound.length > 0) throw new Error('bench: failures');
  return full.assigned.length;
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

async function timed(fn: (n: number) => Promise<number>, n: number): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = performance.now();
  const done = await fn(n);
  const ms = performance.now() - start;
  if (done !== n) throw new Error(`bench: ${done} of ${n} assigned`);
  return ms;
}

/** Live bytes held by `build()`'s result, in MiB (heap + array buffers, after a full GC). */
function retainedMb(build: () => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc as () => void;
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  gc();
  const before = used();
  const kept = build();
  gc();
  const mb = (used() - before) / 2 ** 20;
  if (kept === undefined) throw new Error('unreachable');
  return mb;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const stats = (xs: number[], digits = 0): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]?.toFixed(digits)} / ${median(s).toFixed(digits)} / ${s.at(-1)?.toFixed(digits)}`;
};
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const pad = (s: string, n: number): string => s.padEnd(n);

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
  console.log(`node ${process.version}, load average ${load()}`);
  console.log(
    `${SERIALS.toLocaleString('en')} serials, chunks of ${CHUNK}, ${CONCURRENCY} activities in flight, simulator activity latency 0; min / median / max of ${RUNS}\n`,
  );
  const b: number[] = [];
  const a: number[] = [];
  const c: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    b.push(await timed(bare, SERIALS));
    a.push(await timed((n) => viaAbmkit(n, 'lists'), SERIALS));
    c.push(await timed((n) => viaAbmkit(n, 'counts'), SERIALS));
  }
  const ratio = (xs: number[]) => `${(median(xs) / median(b)).toFixed(2)}x`;
  console.log(`bare fetch loop                        ${stats(b)} ms`);
  console.log(`assignDevicesToServer (CSV)            ${stats(a)} ms   ${ratio(a)} (median)`);
  console.log(`assignDevicesToServer (CSV, 'counts')  ${stats(c)} ms   ${ratio(c)} (median)`);
  console.log(`load average ${load()}\n`);

  console.log(
    `peak memory above the start, MiB: live = heap + array buffers after a forced GC every 50 ms; 'counts' min / median / max of ${RUNS}, default report 1 run`,
  );
  console.log(
    `${pad('serials', 11)}${pad("'counts' live", 22)}${pad("'counts' RSS growth", 22)}${pad("'counts' ms (median)", 22)}${pad('default live', 14)}${pad('de-dup SerialSet', 18)}Set<string>`,
  );
  for (const n of SIZES) {
    const runs = [];
    for (let r = 0; r < RUNS; r++) runs.push(await peakMemory(() => viaAbmkit(n, 'counts')));
    const lists = await peakMemory(() => viaAbmkit(n, 'lists'));
    for (const run of [...runs, lists]) if (run.value !== n) throw new Error('bench: short');
    const serials = Array.from({ length: n }, (_, i) => serialAt(i));
    const compact = retainedMb(() => {
      const set = new SerialSet();
      for (const s of serials) set.add(s);
      return set;
    });
    const strings = retainedMb(() => new Set(serials.map((s) => `${s} `.trimEnd())));
    console.log(
      `${pad(n.toLocaleString('en'), 11)}${pad(
        stats(
          runs.map((x) => x.liveMb),
          1,
        ),
        22,
      )}${pad(stats(runs.map((x) => x.rssMb)), 22)}${pad(median(runs.map((x) => x.ms)).toFixed(0), 22)}${pad(lists.liveMb.toFixed(1), 14)}${pad(compact.toFixed(1), 18)}${strings.toFixed(1)}`,
    );
  }
  console.log(`load average ${load()}`);
} finally {
  child.kill();
}
