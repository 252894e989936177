import { ApiAccountStoreBase, type ApiRecordKind } from '../api-accounts/api-account-store-base.js';
import type { SecretBox } from '../secrets/secret-box.js';

/** API accounts of a {@link MemoryStorage}: in-process maps (the private key is still sealed). */
export class MemoryApiAccountStore extends ApiAccountStoreBase {
  readonly #docs = new Map<string, string>();

  constructor(secrets: SecretBox, clock?: () => number) {
    super(secrets, clock);
  }

  /** Everything held, as held (for tests that look for plaintext). @internal */
  rawImage(): string {
    return JSON.stringify([...this.#docs]);
  }

  protected async rawPut(kind: ApiRecordKind, id: string, json: string): Promise<void> {
    this.#docs.set(`${kind}\u0000${id}`, json);
  }

  protected async rawGet(kind: ApiRecordKind, id: string): Promise<string | null> {
    return this.#docs.get(`${kind}\u0000${id}`) ?? null;
  }

  protected async rawList(kind: ApiRecordKind, after: string | undefined, limit: number) {
    const prefix = `${kind}\u0000`;
    return [...this.#docs]
      .filter(
        ([k]) => k.startsWith(prefix) && (after === undefined || k.slice(prefix.length) > after),
      )
      .map(([k, json]) => ({ id: k.slice(prefix.length), json }))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  protected async rawDelete(kind: ApiRecordKind, id: string): Promise<boolean> {
    return this.#docs.delete(`${kind}\u0000${id}`);
  }
}
