import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StorageError } from '../../errors/index.js';
import type { ApiAccountPersistence, ApiRecordKind } from '../adapter.js';
import { ApiAccounts } from '../api-accounts/api-accounts.js';
import { listDocs } from '../memory/api-accounts.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { writeFileAtomic } from './atomic-write.js';

const FILE = 'api-accounts.json';

/**
 * API-account documents of a `FileStorage`: one JSON file (`api-accounts.json`) in the storage
 * directory, replaced atomically on each write. @internal
 */
export class FileApiAccountDocs implements ApiAccountPersistence {
  readonly #file: string;
  #docs: Map<string, string> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(directory: string) {
    this.#file = join(directory, FILE);
  }

  async #load(): Promise<Map<string, string>> {
    if (this.#docs) return this.#docs;
    try {
      const parsed = JSON.parse(await readFile(this.#file, 'utf8')) as [string, string][];
      this.#docs = new Map(parsed);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') {
        throw new StorageError(
          `${FILE} in the storage directory cannot be read; restore it from a backup or delete it to start over.`,
          { cause: error },
        );
      }
      this.#docs = new Map();
    }
    return this.#docs;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(docs: Map<string, string>): Promise<void> {
    try {
      await mkdir(dirname(this.#file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.#file, JSON.stringify([...docs]));
    } catch (error) {
      throw new StorageError(
        `Could not write ${FILE} in the storage directory; check disk space and permissions.`,
        { cause: error },
      );
    }
  }

  put(kind: ApiRecordKind, id: string, json: string): Promise<void> {
    return this.#serial(async () => {
      const docs = await this.#load();
      docs.set(`${kind}\u0000${id}`, json);
      await this.#write(docs);
    });
  }

  get(kind: ApiRecordKind, id: string): Promise<string | null> {
    return this.#serial(async () => (await this.#load()).get(`${kind}\u0000${id}`) ?? null);
  }

  list(kind: ApiRecordKind, after: string | undefined, limit: number) {
    return this.#serial(async () => {
      return listDocs(await this.#load(), kind, after, limit);
    });
  }

  delete(kind: ApiRecordKind, id: string): Promise<boolean> {
    return this.#serial(async () => {
      const docs = await this.#load();
      const had = docs.delete(`${kind}\u0000${id}`);
      if (had) await this.#write(docs);
      return had;
    });
  }
}

/**
 * API accounts of a `FileStorage`: `api-accounts.json` in the storage directory. Private keys
 * are sealed by the storage's key.
 */
export class FileApiAccountStore extends ApiAccounts {
  /**
   * @param directory - The storage directory.
   * @param secrets - The storage's secret box.
   * @param clock - Milliseconds since the epoch, for the stamps.
   * @param docs - The documents (by default, the file in `directory`).
   */
  constructor(
    directory: string,
    secrets: SecretBox,
    clock?: () => number,
    docs: ApiAccountPersistence = new FileApiAccountDocs(directory),
  ) {
    super(docs, secrets, clock);
  }
}
