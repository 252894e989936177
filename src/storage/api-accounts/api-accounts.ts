import { InvalidArgumentError } from '../../errors/index.js';
import type { ApiAccountPersistence } from '../adapter.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Page } from '../types.js';
import type {
  ApiAccountPatch,
  ApiAccountQuery,
  ApiAccountRecord,
  ApiAccountStore,
  ServerLinkRecord,
} from './types.js';

const ID = /^[\s\S]{1,256}$/;

function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new InvalidArgumentError(`${what} must be a non-empty string of at most 256 characters.`);
  }
  return id;
}

/**
 * The front of every adapter's API-account store: validation, sealing of the private key with
 * the storage's own secret box (associated data `apiAccount|<id>|privateKeyPem`), patching and
 * filtering, over an {@link ApiAccountPersistence} that keeps JSON documents. `StorageBase`
 * builds one for an adapter that provides `apiAccounts` persistence.
 */
export class ApiAccounts implements ApiAccountStore {
  /**
   * @param docs - The adapter's document store.
   * @param secrets - The storage's secret box, which seals and opens the private keys.
   * @param clock - Milliseconds since the epoch, for `createdAt`/`updatedAt`.
   */
  constructor(
    /** The adapter's document store. */
    protected readonly docs: ApiAccountPersistence,
    /** The storage's secret box: seals private keys before they are written, opens them on read. */
    protected readonly secrets: SecretBox,
    /** The store's clock (milliseconds since the epoch), injectable for tests. */
    protected readonly clock: () => number = Date.now,
  ) {}

  async #open(raw: ApiAccountRecord): Promise<ApiAccountRecord> {
    return {
      ...raw,
      privateKeyPem: await this.secrets.open(
        raw.privateKeyPem,
        `apiAccount|${raw.accountId}|privateKeyPem`,
      ),
    };
  }

  /** Creates or shallow-patches an account (`null` removes a field); a new one needs `clientId`, `keyId` and `privateKeyPem`. */
  async saveApiAccount(accountId: string, patch: ApiAccountPatch): Promise<ApiAccountRecord> {
    checkId(accountId, 'An API account id');
    if (patch === null || typeof patch !== 'object') {
      throw new InvalidArgumentError('saveApiAccount needs a patch object.');
    }
    const existingJson = await this.docs.get('account', accountId);
    const existing = existingJson === null ? null : (JSON.parse(existingJson) as ApiAccountRecord);
    const now = new Date(this.clock()).toISOString();
    const next: Record<string, unknown> = existing
      ? { ...existing }
      : { accountId, createdAt: now };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (value === null) delete next[key];
      else next[key] = key === 'privateKeyPem' ? null : value;
    }
    if (typeof patch.privateKeyPem === 'string') {
      next['privateKeyPem'] = await this.secrets.seal(
        patch.privateKeyPem,
        `apiAccount|${accountId}|privateKeyPem`,
      );
    }
    for (const field of ['clientId', 'keyId', 'privateKeyPem'] as const) {
      if (typeof next[field] !== 'string' || next[field] === '') {
        throw new InvalidArgumentError(`An API account needs ${field}.`);
      }
    }
    next['updatedAt'] = now;
    await this.docs.put('account', accountId, JSON.stringify(next));
    return this.#open(next as unknown as ApiAccountRecord);
  }

  /** The account with its key decrypted, or `null`. */
  async getApiAccount(accountId: string): Promise<ApiAccountRecord | null> {
    const json = await this.docs.get('account', checkId(accountId, 'An API account id'));
    return json === null ? null : this.#open(JSON.parse(json) as ApiAccountRecord);
  }

  /** Accounts by id, optionally of one customer and/or site, paged. */
  async listApiAccounts(query: ApiAccountQuery = {}): Promise<Page<ApiAccountRecord>> {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 100)), 1000);
    let after = query.cursor ?? undefined;
    const items: ApiAccountRecord[] = [];
    // Bounded: scans at most 100 raw pages per call, then hands back a cursor.
    for (let round = 0; round < 100 && items.length < limit; round++) {
      const rows = await this.docs.list('account', after, limit);
      for (const row of rows) {
        after = row.id;
        const rec = JSON.parse(row.json) as ApiAccountRecord;
        if (query.customerId !== undefined && rec.customerId !== query.customerId) continue;
        if (query.siteId !== undefined && rec.siteId !== query.siteId) continue;
        items.push(await this.#open(rec));
        if (items.length >= limit) break;
      }
      if (rows.length < limit) return { items, nextCursor: null };
    }
    return { items, nextCursor: after ?? null };
  }

  /** Deletes an account; whether it existed. */
  deleteApiAccount(accountId: string): Promise<boolean> {
    return this.docs.delete('account', checkId(accountId, 'An API account id'));
  }

  /**
   * Re-seals every private key that is not under the key provider's active key (after a key
   * rotation). `storage.reencryptSecrets()` calls it beside re-encrypting the token secrets.
   */
  async reencryptSecrets(): Promise<{ reencrypted: number; unchanged: number }> {
    let reencrypted = 0;
    let unchanged = 0;
    let after: string | undefined;
    for (;;) {
      const rows = await this.docs.list('account', after, 500);
      for (const row of rows) {
        after = row.id;
        const raw = JSON.parse(row.json) as ApiAccountRecord;
        if (!this.secrets.needsReencrypt(raw.privateKeyPem)) {
          unchanged++;
          continue;
        }
        const open = await this.#open(raw);
        const privateKeyPem = await this.secrets.seal(
          open.privateKeyPem,
          `apiAccount|${raw.accountId}|privateKeyPem`,
        );
        await this.docs.put('account', raw.accountId, JSON.stringify({ ...raw, privateKeyPem }));
        reencrypted++;
      }
      if (rows.length < 500) return { reencrypted, unchanged };
    }
  }

  /** Stores (replaces) the link of a token to its MDM server record. */
  async saveServerLink(link: ServerLinkRecord): Promise<void> {
    checkId(link?.tokenId, 'A token id');
    await this.docs.put('link', link.tokenId, JSON.stringify(link));
  }

  /** The token's link, or `null`. */
  async getServerLink(tokenId: string): Promise<ServerLinkRecord | null> {
    const json = await this.docs.get('link', checkId(tokenId, 'A token id'));
    return json === null ? null : (JSON.parse(json) as ServerLinkRecord);
  }

  /** Forgets the token's link; whether it existed. */
  deleteServerLink(tokenId: string): Promise<boolean> {
    return this.docs.delete('link', checkId(tokenId, 'A token id'));
  }
}
