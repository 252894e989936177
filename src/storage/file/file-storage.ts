import { InvalidArgumentError } from '../../errors/index.js';
import { InProcessAdapter } from '../memory/in-process-adapter.js';
import type { MemoryStorageOptions } from '../memory/memory-storage.js';
import { StateCore } from '../memory/state-core.js';
import { StorageBase } from '../storage-base.js';
import type { StorageCapabilities } from '../types.js';
import { FileApiAccountDocs, FileApiAccountStore } from './api-accounts.js';
import { FileJournal } from './journal.js';

/** Options of {@link FileStorage}. */
export interface FileStorageOptions extends MemoryStorageOptions {
  /** The directory holding the data (created with mode 0700 if missing). One process at a time. */
  directory: string;
  /** Compact the journal into a snapshot once it grows past this many bytes (default 64 MiB). */
  compactAfterBytes?: number | undefined;
}

const CAPABILITIES: StorageCapabilities = Object.freeze({
  crossProcessLeases: false,
  atomicPageApply: true,
  ttl: false,
  persistent: true,
});

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
export class FileStorage extends StorageBase {
  /** Business API accounts and token → server links (`api-accounts.json` in the directory). */
  declare readonly apiAccounts: FileApiAccountStore;
  readonly #dir: string;
  readonly #core: StateCore;
  readonly #journal: FileJournal;

  constructor(options: FileStorageOptions) {
    if (typeof options?.directory !== 'string' || options.directory.length === 0) {
      throw new InvalidArgumentError(
        'FileStorage needs `directory`: the folder to keep its data in.',
      );
    }
    const clock = options.clock ?? Date.now;
    const journal = new FileJournal(
      options.directory,
      options.compactAfterBytes ?? 64 * 1024 * 1024,
    );
    const core = new StateCore(clock, journal);
    journal.attach(core);
    const docs = new FileApiAccountDocs(options.directory);
    const close = async (): Promise<void> => {
      await core.drain();
      await journal.close();
    };
    super(new InProcessAdapter(core, CAPABILITIES, docs, close), { ...options, clock });
    this.#dir = options.directory;
    this.#core = core;
    this.#journal = journal;
    Object.defineProperty(this, 'apiAccounts', {
      value: new FileApiAccountStore(options.directory, this.secrets, clock, docs),
      enumerable: true,
    });
  }

  /** The directory this store keeps its data in. */
  get directory(): string {
    return this.#dir;
  }

  /**
   * Writes a fresh snapshot and empties the journal. Runs automatically past
   * `compactAfterBytes`; call it yourself e.g. before a backup. Queued behind the operations in
   * flight like any write, so no concurrent append can be lost by the journal's truncation.
   */
  async compact(): Promise<void> {
    await this.#core.exclusive(async () => {
      await this.#journal.compact();
      return { changes: [], result: undefined };
    });
  }

  /** Size in bytes of the journal and snapshot (for monitoring). */
  diskUsage(): Promise<{ journalBytes: number; snapshotBytes: number }> {
    return this.#journal.diskUsage();
  }
}
