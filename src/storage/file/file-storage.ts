import { chmod, type FileHandle, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, StorageError } from '../../errors/index.js';
import type { Change, StateImage } from '../memory/state.js';
import { MemoryState } from '../memory/state.js';
import { StateStorage, type StateStorageOptions } from '../memory/state-storage.js';
import type { StorageCapabilities } from '../types.js';
import { fsyncDir, writeFileAtomic } from './atomic-write.js';
import { acquireLockFile, releaseLockFile } from './lock-file.js';

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

interface Snapshot {
  format: 'abmkit-file-storage';
  version: 1;
  seq: number;
  image: StateImage;
}

/**
 * The embedded default: a directory on local disk, zero extra dependencies, one process at a
 * time (a lock file refuses a second process; a lock left by a dead process is taken over).
 *
 * Layout: `state.json` (a snapshot) and `journal.log` (one fsync'd line per operation). Each
 * operation, such as applying a page of devices together with its cursor, is a single journal
 * append, so it is all-or-nothing across crashes (a torn last line is discarded on open) and costs
 * only the size of the change, not of the whole store. When the journal passes
 * `compactAfterBytes`, a new snapshot is written crash-safely (temp file `wx` 0600, fsync,
 * rename, fsync of the directory) and the journal restarts. Files are 0600, the directory 0700.
 * Data is loaded into memory on first use; plan on roughly 1–2 KB of RAM per device.
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
  }

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
      const state = new MemoryState();
      let seq = 0;
      const snap = await readFile(join(this.#dir, SNAPSHOT), 'utf8').catch(
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return null;
          throw err;
        },
      );
      if (snap !== null) {
        const parsed = JSON.parse(snap) as Snapshot;
        if (parsed.format !== 'abmkit-file-storage' || parsed.version !== 1) {
          throw new StorageError(
            `${SNAPSHOT} in ${this.#dir} is not an abmkit FileStorage snapshot.`,
          );
        }
        state.load(parsed.image);
        seq = parsed.seq;
      }
      const journalPath = join(this.#dir, JOURNAL);
      const fh = await open(journalPath, 'a+', 0o600);
      const buf = await fh.readFile();
      let good = 0;
      let offset = 0;
      while (offset < buf.length) {
        const nl = buf.indexOf(0x0a, offset);
        if (nl === -1) break;
        let entry: { seq: number; changes: Change[] };
        try {
          entry = JSON.parse(buf.subarray(offset, nl).toString('utf8')) as typeof entry;
        } catch {
          break;
        }
        if (entry.seq > seq) {
          state.apply(entry.changes);
          seq = entry.seq;
        }
        offset = nl + 1;
        good = offset;
      }
      if (good < buf.length) {
        await fh.truncate(good);
        await fh.sync();
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
      await fh.write(line);
      await fh.datasync();
    } catch (err) {
      throw new StorageError('Could not write the FileStorage journal.', { cause: err });
    }
    this.#seq++;
    this.#journalBytes += line.length;
  }

  /** @internal */
  protected override async afterApply(): Promise<void> {
    if (this.#journalBytes >= this.#compactAfter) await this.compact();
  }

  /**
   * Writes a fresh snapshot and empties the journal. Runs automatically past
   * `compactAfterBytes`; call it yourself e.g. before a backup.
   */
  async compact(): Promise<void> {
    if (this.#journal === undefined) return;
    const snapshot: Snapshot = {
      format: 'abmkit-file-storage',
      version: 1,
      seq: this.#seq,
      image: this.state.toImage(),
    };
    await writeFileAtomic(join(this.#dir, SNAPSHOT), JSON.stringify(snapshot));
    await this.#journal.truncate(0);
    await this.#journal.sync();
    await fsyncDir(this.#dir);
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
