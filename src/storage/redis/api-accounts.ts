import type { ApiAccountPersistence, ApiRecordKind } from '../adapter.js';
import { ApiAccountStoreBase } from '../api-accounts/api-account-store-base.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { type RedisClientLike, RedisConnection } from './redis-client.js';

/** API-account documents over Redis: one hash per kind (`<prefix>:api:account`, `…:link`). @internal */
export class RedisApiAccounts implements ApiAccountPersistence {
  /** @param r - The shared connection. */
  constructor(private readonly r: RedisConnection) {}

  #key(kind: ApiRecordKind): string {
    return `${this.r.prefix}:api:${kind}`;
  }

  async put(kind: ApiRecordKind, id: string, json: string): Promise<void> {
    await this.r.cmd('HSET', this.#key(kind), id, json);
  }

  async get(kind: ApiRecordKind, id: string): Promise<string | null> {
    const v = await this.r.cmd('HGET', this.#key(kind), id);
    return typeof v === 'string' ? v : v instanceof Buffer ? v.toString('utf8') : null;
  }

  async list(kind: ApiRecordKind, after: string | undefined, limit: number) {
    // API accounts are few (Apple allows 50 per organisation); HKEYS then a bounded HMGET page.
    const keys = ((await this.r.cmd('HKEYS', this.#key(kind))) as unknown[]).map(String).sort();
    const ids = keys.filter((k) => after === undefined || k > after).slice(0, limit);
    if (ids.length === 0) return [];
    const docs = (await this.r.cmd('HMGET', this.#key(kind), ...ids)) as unknown[];
    const out: { id: string; json: string }[] = [];
    ids.forEach((id, i) => {
      const d = docs[i];
      if (d !== null && d !== undefined) out.push({ id, json: String(d) });
    });
    return out;
  }

  async delete(kind: ApiRecordKind, id: string): Promise<boolean> {
    return Number(await this.r.cmd('HDEL', this.#key(kind), id)) > 0;
  }
}

/**
 * API accounts over Redis as a standalone front: one hash per kind (`<prefix>:api:account`,
 * `<prefix>:api:link`). Private keys are sealed by the given secret box.
 * @deprecated `RedisStorage.apiAccounts` is built by the storage front now (`ApiAccountStore`);
 * kept for one minor version.
 */
export class RedisApiAccountStore extends ApiAccountStoreBase {
  readonly #docs: RedisApiAccounts;

  /**
   * @param client - The storage's ioredis client.
   * @param prefix - The storage's key prefix.
   * @param secrets - The storage's secret box.
   * @param clock - Milliseconds since the epoch, for `createdAt`/`updatedAt`.
   */
  constructor(client: RedisClientLike, prefix: string, secrets: SecretBox, clock?: () => number) {
    super(secrets, clock);
    this.#docs = new RedisApiAccounts(new RedisConnection(client, prefix));
  }

  protected rawPut(kind: ApiRecordKind, id: string, json: string): Promise<void> {
    return this.#docs.put(kind, id, json);
  }

  protected rawGet(kind: ApiRecordKind, id: string): Promise<string | null> {
    return this.#docs.get(kind, id);
  }

  protected rawList(kind: ApiRecordKind, after: string | undefined, limit: number) {
    return this.#docs.list(kind, after, limit);
  }

  protected rawDelete(kind: ApiRecordKind, id: string): Promise<boolean> {
    return this.#docs.delete(kind, id);
  }
}
