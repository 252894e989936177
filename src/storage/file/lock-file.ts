import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { StorageError } from '../../errors/index.js';
import { ownIdentity, type ProcessIdentity, processStartTime } from './process-identity.js';

interface LockInfo {
  pid: number;
  host: string;
  at: string;
  /** Kernel boot id of the holder (Linux). */
  bootId?: string | undefined;
  /** Start time of the holder, clock ticks since boot (Linux, `/proc/<pid>/stat`). */
  startTime?: string | undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a lock file's holder is, seen from this process. @internal */
export type LockHolder = 'this-process' | 'alive' | 'stale' | 'unknown';

/**
 * Judges a lock written by `info` from this process (pid `self.pid`, identity `self`).
 * A pid alone is not enough: after `kill -9` in a container, the restarted process is pid 1
 * again on the same host name. So, on the same host:
 * - another boot id: the machine rebooted since, the holder is gone (stale);
 * - our pid: ours only if the start time matches too, else a former process with our pid (stale);
 * - another pid: gone when `/proc` (or `kill(pid, 0)`) does not know it, and a different process
 *   when its start time differs from the recorded one (the pid was reused: stale).
 * On another host nothing can be checked: the lock holds.
 * @internal
 */
export function judgeLock(
  info: Partial<LockInfo>,
  self: { pid: number; host: string } & ProcessIdentity,
  procRoot = '/proc',
): LockHolder {
  if (typeof info.pid !== 'number') return 'unknown';
  if (info.host !== self.host) return 'alive';
  if (info.bootId !== undefined && self.bootId !== undefined && info.bootId !== self.bootId) {
    return 'stale';
  }
  if (info.pid === self.pid) {
    // Without start times (no /proc) a lock naming our pid on our host is ours.
    if (self.startTime === undefined) return 'this-process';
    return info.startTime === self.startTime ? 'this-process' : 'stale';
  }
  if (self.startTime !== undefined) {
    // /proc is there: it is the judge (a pid outside our pid namespace is not in it either).
    const start = processStartTime(info.pid, procRoot);
    if (start === undefined) return 'stale';
    return info.startTime === undefined || info.startTime === start ? 'alive' : 'stale';
  }
  return alive(info.pid) ? 'alive' : 'stale';
}

/**
 * Takes an exclusive lock file (`O_EXCL`, 0600) holding this process's pid, host, boot id and
 * start time. A lock whose holder is gone (see {@link judgeLock}) is stale and is replaced.
 * @internal
 */
export async function acquireLockFile(path: string): Promise<void> {
  const self = { pid: process.pid, host: hostname(), ...ownIdentity() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      const info: LockInfo = {
        pid: self.pid,
        host: self.host,
        at: new Date().toISOString(),
        ...(self.bootId === undefined ? {} : { bootId: self.bootId }),
        ...(self.startTime === undefined ? {} : { startTime: self.startTime }),
      };
      await fh.writeFile(JSON.stringify(info));
      await fh.sync();
      await fh.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StorageError(`Could not create the FileStorage lock file ${path}.`, {
          cause: err,
        });
      }
    }
    let info: Partial<LockInfo> = {};
    try {
      info = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    } catch {
      // unreadable or half-written: treat as stale only if it stays that way
    }
    const holder = judgeLock(info, self);
    const stale = holder === 'stale' || (holder === 'unknown' && attempt > 0);
    if (!stale) {
      throw new StorageError(
        holder === 'this-process'
          ? `The FileStorage directory is already open in this process (another FileStorage instance on ${path}). Share one instance, or close the other first.`
          : `The FileStorage directory is in use by another process (pid ${String(info.pid ?? 'unknown')} on ${String(info.host ?? 'unknown host')}). Stop that process, use another directory, or delete ${path} if that process is gone.`,
        { retryable: false },
      );
    }
    await unlink(path).catch(() => undefined);
  }
  throw new StorageError(`Could not take the FileStorage lock ${path}; try again.`);
}

/** Releases a lock taken by {@link acquireLockFile} (only if it is ours). @internal */
export async function releaseLockFile(path: string): Promise<void> {
  try {
    const info = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    const self = { pid: process.pid, host: hostname(), ...ownIdentity() };
    if (judgeLock(info, self) === 'this-process') await unlink(path);
  } catch {
    // already gone
  }
}
