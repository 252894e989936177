import { chmod, type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, StorageError } from '../../errors/index.js';
import type { Change } from '../memory/state.js';
import { MemoryState } from '../memory/state.js';
import { StateStorage, type StateStorageOptions } from '../memory/state-storage.js';
import type { StorageCapabilities } from '../types.js';
import { FileApiAccountStore } from './api-accounts.js';
import { fsyncDir, removeLeftoverTemps, writeAll } from './atomic-write.js';
import { readLines } from './line-reader.js';
import { acquireLockFile, releaseLockFile } from './lock-file.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';

/** Options of {@link FileStorage}. */
export interface FileStorageOptions extends StateStorageOptions {
  /** The directory holding the data (created with mode 0700 if missing). One process at a time. */
  directory: string;
  /** Compact the journal into a snapshot once it grows past this many bytes (default 64 MiB). */
  compactAfterBytes?: number | undefined;
}

const SNAPSHOT = 'state.json';
const JOURNAL = 'journal.log';
const LOCK = 'abmkit.lock';

/**
 * The embedded default: a directory on local disk, zero extra dependencies, one process at a
 * time (a lock file refuses a second process; a lock left by a dead process is taken over).
 *
 * Layout: `state.json` (a snapshot) and `journal.log` (one fsync'd line per operation). Each
 * operation, such as applying a page of devices together with its cursor, is a single journal
 * append, so it is all-or-nothing across crashes (a torn last line is discarded on open) and costs
 * only the size of the change, not of the whole store. When the journal passes
 * `compactAfterBytes`, a new snapshot is written crash-safely (temp file `wx` 0600, fsync,
 * rename, fsync of the directory) and the journal restarts. The snapshot is streamed out one
 * record per line and both files are read back line by line, so compaction and opening need
 * little memory beyond the store itself. Files are 0600, the directory 0700. Data is loaded into
 * memory on first use; plan on roughly 1.5 KB of RAM per device.
 */
export class FileStorage extends StateStorage {
  /** {@inheritDoc AbmStorage.capabilities} */
  readonly capabilities: StorageCapabilities = Object.freeze({
    crossProcessLeases: false,
    atomicPageApply: true,
    ttl: false,
    persistent: true,
  });

  readonly #dir: string;
  readonly #compactAfter: number;
  #journal: FileHandle | undefined;
  #journalBytes = 0;
  #seq = 0;
  #opening: Promise<void> | undefined;

  constructor(options: FileStorageOptions) {
    super(options);
    if (typeof options?.directory !== 'string' || options.directory.length === 0) {
      throw new InvalidArgumentError(
        'FileStorage needs `directory`: the folder to keep its data in.',
      );
    }
    this.#dir = options.directory;
    this.#compactAfter = options.compactAfterBytes ?? 64 * 1024 * 1024;
    this.apiAccounts = new FileApiAccountStore(options.directory, this.secrets, () => this.nowMs());
  }

  /** Business API accounts and token → server links (`api-accounts.json` in the directory). */
  readonly apiAccounts: FileApiAccountStore;

  /** The directory this store keeps its data in. */
  get directory(): string {
    return this.#dir;
  }

  /** @internal */
  protected override ready(): Promise<void> {
    this.#opening ??= this.#open().catch((err: unknown) => {
      this.#opening = undefined;
      throw err;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    try {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 });
      await chmod(this.#dir, 0o700);
    } catch (err) {
      throw new StorageError(`Could not create the FileStorage directory ${this.#dir}.`, {
        cause: err,
      });
    }
    await acquireLockFile(join(this.#dir, LOCK));
    try {
      // Temp files of a compaction that a kill interrupted: ours to delete now that we hold the lock.
      await removeLeftoverTemps(this.#dir, SNAPSHOT);
      const state = new MemoryState();
      let seq = (await readSnapshot(join(this.#dir, SNAPSHOT), state)) ?? 0;
      const fh = await open(join(this.#dir, JOURNAL), 'a+', 0o600);
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
      this.state = state;
      this.#seq = seq;
      this.#journal = fh;
      this.#journalBytes = good;
    } catch (err) {
      await releaseLockFile(join(this.#dir, LOCK));
      if (err instanceof StorageError) throw err;
      throw new StorageError(`Could not read the FileStorage data in ${this.#dir}.`, {
        cause: err,
      });
    }
  }

  /** @internal */
  protected async persist(changes: readonly Change[]): Promise<void> {
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

  /** @internal */
  protected override async afterApply(): Promise<void> {
    if (this.#journalBytes >= this.#compactAfter) await this.#compact();
  }

  /**
   * Writes a fresh snapshot and empties the journal. Runs automatically past
   * `compactAfterBytes`; call it yourself e.g. before a backup. Queued behind the operations in
   * flight like any write, so no concurrent append can be lost by the journal's truncation.
   */
  async compact(): Promise<void> {
    await this.exclusive(async () => {
      await this.#compact();
      return { changes: [], result: undefined };
    });
  }

  /** Under the mutex: the state cannot change while the snapshot streams out. */
  async #compact(): Promise<void> {
    if (this.#journal === undefined) return;
    try {
      await writeSnapshot(join(this.#dir, SNAPSHOT), this.#seq, this.state);
      await this.#journal.truncate(0);
      await this.#journal.sync();
      await fsyncDir(this.#dir);
    } catch (err) {
      // The journal still holds every operation (it is only emptied after the snapshot is in
      // place), so nothing is lost; the next compaction tries again.
      throw new StorageError(`Could not write the FileStorage snapshot in ${this.#dir}.`, {
        cause: err,
      });
    }
    this.#journalBytes = 0;
  }

  /** Size in bytes of the journal and snapshot (for monitoring). */
  async diskUsage(): Promise<{ journalBytes: number; snapshotBytes: number }> {
    await this.ready();
    const snap = await stat(join(this.#dir, SNAPSHOT)).catch(() => null);
    return { journalBytes: this.#journalBytes, snapshotBytes: snap?.size ?? 0 };
  }

  /** Finishes pending writes, closes the journal and releases the directory lock. */
  async close(): Promise<void> {
    await this.drain();
    if (this.#opening === undefined) return;
    await this.#opening.catch(() => undefined);
    const fh = this.#journal;
    this.#journal = undefined;
    this.#opening = undefined;
    if (fh !== undefined) {
      await fh.close();
      await releaseLockFile(join(this.#dir, LOCK));
    }
  }
}
