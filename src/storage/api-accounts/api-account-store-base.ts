import type { ApiAccountPersistence, ApiRecordKind } from '../adapter.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { ApiAccounts } from './api-accounts.js';

export type { ApiRecordKind } from '../adapter.js';

/**
 * An {@link ApiAccounts} front whose document store is four `raw*` methods of the subclass.
 * @deprecated Give `StorageBase` an adapter with `apiAccounts` persistence
 * (`ApiAccountPersistence`), or build `new ApiAccounts(persistence, secrets, clock)`.
 */
export abstract class ApiAccountStoreBase extends ApiAccounts {
  /**
   * @param secrets - The storage's secret box, which seals and opens the private keys.
   * @param clock - Milliseconds since the epoch, for `createdAt`/`updatedAt`.
   */
  constructor(secrets: SecretBox, clock?: () => number) {
    const self: { base?: ApiAccountStoreBase } = {};
    const base = (): ApiAccountStoreBase => self.base as ApiAccountStoreBase;
    const docs: ApiAccountPersistence = {
      put: (kind, id, json) => base().rawPut(kind, id, json),
      get: (kind, id) => base().rawGet(kind, id),
      list: (kind, after, limit) => base().rawList(kind, after, limit),
      delete: (kind, id) => base().rawDelete(kind, id),
    };
    super(docs, secrets, clock);
    self.base = this;
  }

  /** Stores (replaces) a document. */
  protected abstract rawPut(kind: ApiRecordKind, id: string, json: string): Promise<void>;
  /** The document, or `null`. */
  protected abstract rawGet(kind: ApiRecordKind, id: string): Promise<string | null>;
  /** Documents with ids after `after`, in id order, at most `limit`. */
  protected abstract rawList(
    kind: ApiRecordKind,
    after: string | undefined,
    limit: number,
  ): Promise<{ id: string; json: string }[]>;
  /** Deletes a document; whether it existed. */
  protected abstract rawDelete(kind: ApiRecordKind, id: string): Promise<boolean>;
}
