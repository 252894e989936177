/**
 * Shared harness of the manager benchmarks: scale flags (`--full`), interleaved runs,
 * min/median/max, load average, peak RSS, the simulator child process, a bounded `mapLimit`.
 * Only the package's public API is used, so the benchmarks survive internal redesigns.
 */
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { nodeHttpFetch } from '../src/index.js';
import type { SimAsk } from './_sim-child.js';

/** `--full`: the sizes of issue #13; without it, a quick development run. */
export const FULL = process.argv.includes('--full');

/** `--name <n>` from the command line, else `quick` (or `full` under `--full`). */
export function arg(name: string, quick: number, full = quick): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : FULL ? full : quick;
}

/**
 * `--fetch node`: abmkit's side uses one `nodeHttpFetch()` (shared by the manager's clients)
 * instead of `globalThis.fetch`. The bare loops always use `globalThis.fetch`.
 */
export const NODE_FETCH = (() => {
  const i = process.argv.indexOf('--fetch');
  return i > 0 && process.argv[i + 1] === 'node';
})();

/** The `fetch` option of abmkit's side (see {@link NODE_FETCH}), and how to close it. */
export function abmkitFetch(): { options: { fetch?: typeof globalThis.fetch }; close(): void } {
  if (!NODE_FETCH) return { options: {}, close: () => {} };
  const fetch = nodeHttpFetch();
  return { options: { fetch }, close: () => fetch.close() };
}

/** `globalThis.fetch` or `nodeHttpFetch()`, for the benchmarks' first line. */
export const FETCH_LABEL = NODE_FETCH
  ? 'abmkit over nodeHttpFetch()'
  : 'abmkit over globalThis.fetch';

/** The storage encryption key of the benchmarks. */
export const KEY = Buffer.alloc(32, 9);
/** PostgreSQL of the benchmarks (`DATABASE_URL`). */
export const DATABASE_URL =
  process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Redis of the benchmarks (`REDIS_URL`). */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** One profile for every OS. */
export const OS_ALL = (p: string) => ({
  ios: p,
  ipados: p,
  macos: p,
  tvos: p,
  visionos: p,
  watchos: p,
});

/** A short unique suffix for schemas, key prefixes and directories. */
export const uniq = (): string =>
  `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** `load average 1.2 1.0 0.9 (2 cores)`. */
export function loadLine(): string {
  const [a, b, c] = loadavg().map((x) => x.toFixed(2));
  return `load average ${a} ${b} ${c} (${availableParallelism()} cores)`;
}

/** min / median / max of a sample. */
export function stats(xs: readonly number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid =
    s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { min: s[0] ?? Number.NaN, median: mid, max: s[s.length - 1] ?? Number.NaN };
}

/** `median (min–max) unit`, with `digits` decimals. */
export function fmt(xs: readonly number[], unit = '', digits = 0): string {
  const { min, median, max } = stats(xs);
  const f = (x: number) => x.toFixed(digits);
  return `${f(median)} (${f(min)}–${f(max)})${unit ? ` ${unit}` : ''}`;
}

/** Ratio of medians, `a / b`. */
export const ratio = (a: readonly number[], b: readonly number[]): string =>
  `${(stats(a).median / stats(b).median).toFixed(2)}×`;

/**
 * Runs every case `runs` times, interleaved (A B A B …, the order rotated each round so that
 * neither side always runs first), and returns each case's results in run order.
 */
export async function interleave<T>(
  runs: number,
  cases: Record<string, () => Promise<T>>,
  onRun?: (name: string, result: T, round: number) => void,
): Promise<Record<string, T[]>> {
  const names = Object.keys(cases);
  const out: Record<string, T[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < runs; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]!);
    for (const name of order) {
      const result = await cases[name]!();
      out[name]!.push(result);
      onRun?.(name, result, r);
    }
  }
  return out;
}

/** Samples this process's RSS every 20 ms until `stop()`, which returns the peak in MB. */
export function peakRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) / 1e6;
    },
  };
}

/**
 * CPU time (user + system, ms) used so far by every process named `postgres` on this machine,
 * read from `/proc` (Linux); `null` where that cannot be read. The benchmarks own the machine
 * while they run, so the difference over a run is the server's work for it.
 */
export function postgresCpuMs(): number | null {
  let ticks = 0;
  let seen = false;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) continue;
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
        seen = true;
      } catch {
        // The process ended meanwhile.
      }
    }
  } catch {
    return null;
  }
  // USER_HZ is 100 on Linux.
  return seen ? ticks * 10 : null;
}

/** Runs `fn` over `items`, at most `limit` at once. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The simulator in its own process (bench/_sim-child.ts). */
export interface SimProcess {
  url: string;
  /** Server token files for `count` fresh MDM servers, encrypted to `certificatePem`. */
  issue(certificatePem: string, count: number): Promise<string[]>;
  /** Sessions of `count` fresh tokens (no OAuth), for bare loops. */
  sessions(count: number): Promise<string[]>;
  /** HTTP requests the simulator has answered so far. */
  requests(): Promise<number>;
  /** CPU time (ms) the simulator's process has used so far. */
  cpuMs(): Promise<number>;
  /** Defines a profile; its UUID. */
  profile(): Promise<string>;
  /** Assigns `count` new devices to the server (sync reports them `added`); events so far. */
  add(count: number): Promise<number>;
  /** Back to the initial population (tokens kept). */
  reset(): Promise<void>;
  close(): void;
}

/** Forks the simulator with `devices` devices per token. */
export async function startSim(devices: number): Promise<SimProcess> {
  const child = fork(join(import.meta.dirname, '_sim-child.ts'), [String(devices)], {
    execArgv: ['--import', 'tsx'],
  });
  const url = await new Promise<string>((resolve) =>
    child.once('message', (m: { url: string }) => resolve(m.url)),
  );
  let seq = 0;
  const waiting = new Map<number, (m: { value?: unknown; error?: string }) => void>();
  child.on('message', (m: { id?: number; value?: unknown; error?: string }) => {
    if (m.id !== undefined) waiting.get(m.id)?.(m);
  });
  const ask = <T>(a: SimAsk) =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, (m) => {
        waiting.delete(id);
        if (m.error !== undefined) reject(new Error(m.error));
        else resolve(m.value as T);
      });
      child.send({ id, ask: a });
    });
  return {
    url,
    issue: (certificatePem, count) => ask({ op: 'issue', certificatePem, count }),
    sessions: (count) => ask({ op: 'sessions', count }),
    requests: () => ask({ op: 'requests' }),
    cpuMs: () => ask({ op: 'cpu' }),
    profile: () => ask({ op: 'profile' }),
    add: (count) => ask({ op: 'add', count }),
    reset: () => ask({ op: 'reset' }),
    close: () => child.kill(),
  };
}

/** Headers of a bare ADE request with a session. */
export function adeHeaders(session: string): Record<string, string> {
  return {
    'user-agent': 'abmkit-bench/1.0',
    'x-server-protocol-version': '10',
    'x-adm-auth-session': session,
    'content-type': 'application/json;charset=UTF8',
  };
}

/** A bare ADE POST: `fetch` + `JSON.parse`. */
export async function adePost<T>(url: string, session: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: adeHeaders(session),
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`bare ${url}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A device page as the bare loops read it. */
export interface BarePage {
  devices: { serial_number: string; [k: string]: unknown }[];
  cursor: string;
  more_to_follow: boolean;
}
