/**
 * FileStorage after crashes, with real child processes: a `kill -9` in a PID namespace (the
 * restarted process is pid 1 again on the same host name), and a kill during compaction.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../src/index.js';
import { judgeLock } from '../../../src/storage/file/lock-file.js';
import { ownIdentity, processStartTime } from '../../../src/storage/file/process-identity.js';

const repo = resolve(import.meta.dirname, '../../..');
const CHILD = join(repo, 'test/fixtures/storage/file-child.ts');
const LOCK = 'abmkit.lock';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function fresh(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'abmkit-crash-'));
  dirs.push(d);
  return d;
}

/** `unshare --pid --fork` works here (Linux, enough privilege). */
const canUnshare =
  process.platform === 'linux' &&
  spawnSync('unshare', ['--pid', '--fork', 'true'], { stdio: 'ignore' }).status === 0;

function child(args: string[], inPidNamespace: boolean): ChildProcess {
  const node = [process.execPath, '--import', 'tsx', CHILD, ...args];
  const [cmd, ...rest] = inPidNamespace ? ['unshare', '--pid', '--fork', ...node] : node;
  const c = spawn(cmd as string, rest, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(c);
  return c;
}

/** Resolves with the first stdout line matching `pattern` (or rejects with the output on exit). */
function line(c: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  let out = '';
  return new Promise((resolveLine, reject) => {
    c.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(pattern);
      if (m) resolveLine(m);
    });
    c.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    c.on('exit', () => {
      const m = out.match(pattern);
      if (m) resolveLine(m);
      else reject(new Error(`child exited without ${pattern}: ${out}`));
    });
  });
}

const exited = (c: ChildProcess): Promise<void> =>
  new Promise((r) =>
    c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r()),
  );

// Real child processes that load TypeScript through tsx: seconds each on a loaded machine.
const CHILD_WORK = { timeout: 120_000 };

describe('FileStorage lock after kill -9', () => {
  it.skipIf(!canUnshare)(
    'a process restarted as pid 1 in a PID namespace takes over the lock its predecessor left',
    CHILD_WORK,
    async () => {
      const dir = await fresh();
      const first = child(['hold', dir], true);
      const [, procPid, nsPid] = await line(first, /ready (\d+) (\d+)\n/);
      expect(nsPid).toBe('1');
      process.kill(Number(procPid), 'SIGKILL');
      await exited(first);
      const lock = JSON.parse(await readFile(join(dir, LOCK), 'utf8')) as { pid: number };
      expect(lock.pid).toBe(1); // left behind, naming pid 1 on this host

      const second = child(['reopen', dir], true);
      const [result] = await line(second, /(ok|error) .*\n/);
      expect(result).toBe('ok kept\n');
      await exited(second);
      expect(second.exitCode).toBe(0);
    },
  );

  it('the same decision without namespaces: a lock naming our pid but another start time is stale', async () => {
    const dir = await fresh();
    const me = ownIdentity();
    const previous = {
      pid: process.pid,
      host: hostname(),
      at: '',
      ...(me.bootId === undefined ? {} : { bootId: me.bootId }),
      startTime: '1', // a process with our pid that started right after boot: not this one
    };
    await writeFile(join(dir, LOCK), JSON.stringify(previous));
    const store = new FileStorage({ directory: dir });
    await store.saveToken('t', { name: 'mine' });
    const now = JSON.parse(await readFile(join(dir, LOCK), 'utf8')) as { startTime?: string };
    expect(now.startTime).toBe(me.startTime);
    // A second instance in this same process is refused, and told why.
    await expect(new FileStorage({ directory: dir }).getToken('t')).rejects.toThrowError(
      /already open in this process/,
    );
    await store.close();
  });

  it.skipIf(process.platform !== 'linux')(
    'judges other pids by their start time: alive, reused or gone',
    CHILD_WORK,
    async () => {
      const self = { pid: process.pid, host: hostname(), ...ownIdentity() };
      const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
      children.push(sleeper);
      const pid = sleeper.pid as number;
      const startTime = processStartTime(pid);
      expect(startTime).toMatch(/^\d+$/);
      const base = { pid, host: self.host, at: '', bootId: self.bootId };
      expect(judgeLock({ ...base, startTime }, self)).toBe('alive');
      expect(judgeLock({ ...base, startTime: '1' }, self)).toBe('stale'); // pid reused
      expect(judgeLock({ ...base, startTime, host: 'elsewhere' }, self)).toBe('alive');
      expect(judgeLock({ ...base, startTime, bootId: 'another-boot' }, self)).toBe('stale');
      sleeper.kill('SIGKILL');
      await exited(sleeper);
      expect(judgeLock({ ...base, startTime }, self)).toBe('stale'); // gone
      expect(judgeLock({ host: self.host }, self)).toBe('unknown');
      // Without /proc (macOS, Windows): pid and host decide, as before.
      const noProc = { ...self, bootId: undefined, startTime: undefined };
      expect(judgeLock({ pid: process.pid, host: self.host }, noProc)).toBe('this-process');
      expect(judgeLock({ pid, host: self.host }, noProc)).toBe('stale');
      expect(judgeLock({ pid: process.ppid, host: self.host }, noProc)).toBe('alive');
    },
  );
});

describe('FileStorage temp files after a kill during compaction', () => {
  it(
    'open removes the .state.json.*.tmp files a killed writer left, and nothing else',
    CHILD_WORK,
    async () => {
      const dir = await fresh();
      for (let i = 0; i < 3; i++) {
        const writer = child(['compact', dir], false);
        await line(writer, /ready \d+ \d+\n/);
        writer.kill('SIGKILL');
        await exited(writer);
      }
      await writeFile(join(dir, 'notes.tmp'), 'not ours');
      const left = (await readdir(dir)).filter((f) => /^\.state\.json\.[0-9a-f]+\.tmp$/.test(f));
      expect(left).toHaveLength(3);

      const store = new FileStorage({ directory: dir });
      await store.saveToken('t', { name: 'x' });
      const after = await readdir(dir);
      expect(after.filter((f) => f.endsWith('.tmp'))).toEqual(['notes.tmp']);
      await store.close();
    },
  );
});
