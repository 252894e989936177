/**
 * Runs the built `abmkit-simulator` CLI (dist/cli/simulator.js) as a child process and talks to
 * it over HTTP only. `npm test` builds first; a missing or stale dist/ fails loudly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../../..');
export const CLI = join(repo, 'dist', 'cli', 'simulator.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Throws when dist/ is missing or older than the simulator and CLI sources. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) {
    throw new Error('dist/cli/simulator.js is missing: run `npm run build` first (npm test does).');
  }
  const sources = Math.max(
    newestSource(join(repo, 'src', 'testing', 'simulator')),
    newestSource(join(repo, 'src', 'cli')),
  );
  if (statSync(CLI).mtimeMs < sources) {
    throw new Error('dist/ is older than src/: run `npm run build` first (npm test does).');
  }
}

/** A running CLI. */
export interface RunningCli {
  /** Base URL of the Apple paths. */
  url: string;
  /** `…/_sim/` URL printed by the CLI, or `undefined` when the control API is off. */
  controlUrl: string | undefined;
  /** Everything printed on stdout up to the ready line. */
  stdout: string;
  /** Stops the child (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts the CLI with `args` (plus `--port 0`) and waits until it prints its ready line. */
export function startCli(args: readonly string[], cwd = repo): Promise<RunningCli> {
  const child: ChildProcess = spawn(process.execPath, [CLI, '--port', '0', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolveStart, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!stdout.includes('Press Ctrl+C to stop.')) return;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      const controlUrl = /Control API: (http:\/\/\S+)/.exec(stdout)?.[1];
      if (!url) reject(new Error(`no URL in the CLI output:\n${stdout}`));
      else resolveStart({ url, controlUrl, stdout, stop });
    });
    child.once('exit', (code) => {
      reject(
        new Error(`abmkit-simulator exited (${code}) before it was ready:\n${stdout}${stderr}`),
      );
    });
  });
}

/** A JSON answer of the control API. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for reading JSON bodies
  json: any;
}

/** Calls the control API (or any URL) with an optional JSON body. */
export async function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
