import { chmod, type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../../errors/index.js';
import { type Change, MemoryState } from '../memory/state.js';
import type { StateCore, StateHooks } from '../memory/state-core.js';
import { fsyncDir, removeLeftoverTemps, writeAll } from './atomic-write.js';
import { readLines } from './line-reader.js';
import { acquireLockFile, releaseLockFile } from './lock-file.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';

const SNAPSHOT = 'state.json';
const JOURNAL = 'journal.log';
const LOCK = 'abmkit.lock';

/**
 * The durability of `FileStorage`: a directory holding `state.json` (a snapshot) and
 * `journal.log` (one fsync'd line of changes per operation), under a lock file. It opens the
 * directory on first use (loading the state into the {@link StateCore}), appends each
 * operation's changes before they are applied, and compacts the journal into a new snapshot
 * past `compactAfter` bytes. @internal
 */
export class FileJournal implements StateHooks {
  #core: StateCore | undefined;
  #journal: FileHandle | undefined;
  #journalBytes = 0;
  #seq = 0;
  #opening: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly compactAfter: number,
  ) {}

  /** Binds the core whose state this journal loads and snapshots. */
  attach(core: StateCore): void {
    this.#core = core;
  }

  ready(): Promise<void> {
    this.#opening ??= this.#open().catch((err: unknown) => {
      this.#opening = undefined;
      throw err;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await chmod(this.dir, 0o700);
    } catch (err) {
      throw new StorageError(`Could not create the FileStorage directory ${this.dir}.`, {
        cause: err,
      });
    }
    await acquireLockFile(join(this.dir, LOCK));
    try {
      // Temp files of a compaction that a kill interrupted: ours to delete now that we hold the lock.
      await removeLeftoverTemps(this.dir, SNAPSHOT);
      const state = new MemoryState();
      let seq = (await readSnapshot(join(this.dir, SNAPSHOT), state)) ?? 0;
      const fh = await open(join(this.dir, JOURNAL), 'a+', 0o600);
      let good = 0;
      try {
        for await (const { bytes, end } of readLines(fh)) {
          let entry: { seq: number; changes: Change[] };
          try {
            entry = JSON.parse(bytes.toString('utf8')) as typeof entry;
          } catch {
            break;
          }
          if (entry.seq > seq) {
            state.apply(entry.changes);
            seq = entry.seq;
          }
          good = end;
        }
        if (good < (await fh.stat()).size) {
          await fh.truncate(good);
          await fh.sync();
        }
      } catch (err) {
        await fh.close();
        throw err;
      }
      (this.#core as StateCore).state = state;
      this.#seq = seq;
      this.#journal = fh;
      this.#journalBytes = good;
    } catch (err) {
      await releaseLockFile(join(this.dir, LOCK));
      if (err instanceof StorageError) throw err;
      throw new StorageError(`Could not read the FileStorage data in ${this.dir}.`, {
        cause: err,
      });
    }
  }

  async persist(changes: readonly Change[]): Promise<void> {
    const fh = this.#journal as FileHandle;
    const line = Buffer.from(`${JSON.stringify({ seq: this.#seq + 1, changes })}\n`, 'utf8');
    try {
      await writeAll(fh, line);
      await fh.datasync();
    } catch (err) {
      // Cut off whatever part of the line reached the file, so the next append does not land
      // after a fragment (which would make that next line unreadable on open).
      await fh.truncate(this.#journalBytes).catch(() => undefined);
      throw new StorageError('Could not write the FileStorage journal.', { cause: err });
    }
    this.#seq++;
    this.#journalBytes += line.length;
  }

  async afterApply(): Promise<void> {
    if (this.#journalBytes >= this.compactAfter) await this.compact();
  }

  /** Under the core's mutex: the state cannot change while the snapshot streams out. */
  async compact(): Promise<void> {
    if (this.#journal === undefined) return;
    try {
      await writeSnapshot(join(this.dir, SNAPSHOT), this.#seq, (this.#core as StateCore).state);
      await this.#journal.truncate(0);
      await this.#journal.sync();
      await fsyncDir(this.dir);
    } catch (err) {
      // The journal still holds every operation (it is only emptied after the snapshot is in
      // place), so nothing is lost; the next compaction tries again.
      throw new StorageError(`Could not write the FileStorage snapshot in ${this.dir}.`, {
        cause: err,
      });
    }
    this.#journalBytes = 0;
  }

  /** Size in bytes of the journal and snapshot. */
  async diskUsage(): Promise<{ journalBytes: number; snapshotBytes: number }> {
    await this.ready();
    const snap = await stat(join(this.dir, SNAPSHOT)).catch(() => null);
    return { journalBytes: this.#journalBytes, snapshotBytes: snap?.size ?? 0 };
  }

  /** Closes the journal and releases the directory lock (after the core drained). */
  async close(): Promise<void> {
    if (this.#opening === undefined) return;
    await this.#opening.catch(() => undefined);
    const fh = this.#journal;
    this.#journal = undefined;
    this.#opening = undefined;
    if (fh !== undefined) {
      await fh.close();
      await releaseLockFile(join(this.dir, LOCK));
    }
  }
}
