import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** fsyncs a directory so a rename inside it is durable. @internal */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes every byte of `data` at the handle's position (loops over short writes). @internal */
export async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done);
    done += bytesWritten;
  }
}

/**
 * Crash-safe replace of `file`: `fill` writes a temporary file in the same directory (`wx`,
 * 0600) through the handle it is given, in as many writes as it likes (so a large file never has
 * to exist in memory at once); the file is then fsync'd, renamed over the target and the
 * directory fsync'd. Readers see the old or the new content, never a mix; if `fill` throws, the
 * temporary file is removed and the target is untouched. @internal
 */
export async function writeAtomic(
  file: string,
  fill: (fh: FileHandle) => Promise<void>,
): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fill(fh);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, file);
  await fsyncDir(dir);
}

/** {@link writeAtomic} of a whole string or buffer. @internal */
export function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  return writeAtomic(file, (fh) =>
    writeAll(fh, typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
  );
}

/**
 * Deletes the temporary files {@link writeAtomic} leaves behind for `name` when the process is
 * killed between creating and renaming them (`.<name>.<hex>.tmp`). Call it only while holding
 * the directory's lock, so that no other writer's temp file is in flight. Returns how many were
 * removed. @internal
 */
export async function removeLeftoverTemps(dir: string, name: string): Promise<number> {
  const prefix = `.${name}.`;
  let removed = 0;
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(prefix) && /^[0-9a-f]+\.tmp$/.test(entry.slice(prefix.length))) {
      await unlink(join(dir, entry)).catch(() => undefined);
      removed += 1;
    }
  }
  return removed;
}
