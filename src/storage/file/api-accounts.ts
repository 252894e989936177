import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StorageError } from '../../errors/index.js';
import { ApiAccountStoreBase, type ApiRecordKind } from '../api-accounts/api-account-store-base.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { writeFileAtomic } from './atomic-write.js';

const FILE = 'api-accounts.json';

/**
 * API accounts of a {@link FileStorage}: one JSON file (`api-accounts.json`) in the storage
 * directory, replaced atomically on each write. Private keys are sealed by the storage's key.
 */
export class FileApiAccountStore extends ApiAccountStoreBase {
  readonly #file: string;
  #docs: Map<string, string> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(directory: string, secrets: SecretBox, clock?: () => number) {
    super(secrets, clock);
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

  protected rawPut(kind: ApiRecordKind, id: string, json: string): Promise<void> {
    return this.#serial(async () => {
      const docs = await this.#load();
      docs.set(`${kind}\u0000${id}`, json);
      await this.#write(docs);
    });
  }

  protected rawGet(kind: ApiRecordKind, id: string): Promise<string | null> {
    return this.#serial(async () => (await this.#load()).get(`${kind}\u0000${id}`) ?? null);
  }

  protected rawList(kind: ApiRecordKind, after: string | undefined, limit: number) {
    return this.#serial(async () => {
      const prefix = `${kind}\u0000`;
      return [...(await this.#load())]
        .filter(
          ([k]) => k.startsWith(prefix) && (after === undefined || k.slice(prefix.length) > after),
        )
        .map(([k, json]) => ({ id: k.slice(prefix.length), json }))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit);
    });
  }

  protected rawDelete(kind: ApiRecordKind, id: string): Promise<boolean> {
    return this.#serial(async () => {
      const docs = await this.#load();
      const had = docs.delete(`${kind}\u0000${id}`);
      if (had) await this.#write(docs);
      return had;
    });
  }
}
