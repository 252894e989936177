import type { ApiAccountPersistence, ApiRecordKind } from '../adapter.js';
import { ApiAccounts } from '../api-accounts/api-accounts.js';
import type { SecretBox } from '../secrets/secret-box.js';

/** API-account documents kept in a map of this process (keys `<kind>\0<id>`). @internal */
export class MemoryApiAccountDocs implements ApiAccountPersistence {
  /** The documents, as held (FileStorage writes them to its file). */
  readonly docs = new Map<string, string>();

  async put(kind: ApiRecordKind, id: string, json: string): Promise<void> {
    this.docs.set(`${kind}\u0000${id}`, json);
  }

  async get(kind: ApiRecordKind, id: string): Promise<string | null> {
    return this.docs.get(`${kind}\u0000${id}`) ?? null;
  }

  async list(kind: ApiRecordKind, after: string | undefined, limit: number) {
    return listDocs(this.docs, kind, after, limit);
  }

  async delete(kind: ApiRecordKind, id: string): Promise<boolean> {
    return this.docs.delete(`${kind}\u0000${id}`);
  }
}

/** At most `limit` documents of `kind` with ids after `after`, by id. @internal */
export function listDocs(
  docs: ReadonlyMap<string, string>,
  kind: ApiRecordKind,
  after: string | undefined,
  limit: number,
): { id: string; json: string }[] {
  const prefix = `${kind}\u0000`;
  return [...docs]
    .filter(
      ([k]) => k.startsWith(prefix) && (after === undefined || k.slice(prefix.length) > after),
    )
    .map(([k, json]) => ({ id: k.slice(prefix.length), json }))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .slice(0, limit);
}

/** API accounts of a `MemoryStorage`: in-process maps (the private key is still sealed). */
export class MemoryApiAccountStore extends ApiAccounts {
  /**
   * @param secrets - The storage's secret box.
   * @param clock - Milliseconds since the epoch, for the stamps.
   * @param docs - The documents (a new, empty in-process map by default).
   */
  constructor(
    secrets: SecretBox,
    clock?: () => number,
    docs: ApiAccountPersistence = new MemoryApiAccountDocs(),
  ) {
    super(docs, secrets, clock);
  }

  /** Everything held, as held (for tests that look for plaintext). @internal */
  rawImage(): string {
    return this.docs instanceof MemoryApiAccountDocs ? JSON.stringify([...this.docs.docs]) : '';
  }
}
