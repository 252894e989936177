import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { StorageError } from '../../errors/index.js';

interface LockInfo {
  pid: number;
  host: string;
  at: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock file (`O_EXCL`, 0600) holding this process's pid and host. A lock left
 * by a dead process on this host is stale and is replaced. @internal
 */
export async function acquireLockFile(path: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      const info: LockInfo = { pid: process.pid, host: hostname(), at: new Date().toISOString() };
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
    const stale =
      typeof info.pid === 'number' ? info.host === hostname() && !alive(info.pid) : attempt > 0;
    if (!stale) {
      throw new StorageError(
        `The FileStorage directory is in use by another process (pid ${String(info.pid ?? 'unknown')} on ${String(info.host ?? 'unknown host')}). Stop that process, use another directory, or delete ${path} if that process is gone.`,
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
    if (info.pid === process.pid && info.host === hostname()) await unlink(path);
  } catch {
    // already gone
  }
}
