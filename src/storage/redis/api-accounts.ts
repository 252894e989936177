import { StorageError } from '../../errors/index.js';
import { ApiAccountStoreBase, type ApiRecordKind } from '../api-accounts/api-account-store-base.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { RedisClientLike } from './redis-storage.js';

/**
 * API accounts of a {@link RedisStorage}: one hash per kind (`<prefix>:api:account`,
 * `<prefix>:api:link`). Private keys are sealed by the storage's key.
 */
export class RedisApiAccountStore extends ApiAccountStoreBase {
  readonly #c: RedisClientLike;
  readonly #prefix: string;

  constructor(client: RedisClientLike, prefix: string, secrets: SecretBox, clock?: () => number) {
    super(secrets, clock);
    this.#c = client;
    this.#prefix = prefix;
  }

  async #call(command: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await this.#c.call(command, ...args);
    } catch (err) {
      throw new StorageError('A Redis command on API accounts failed; check the connection.', {
        cause: err,
      });
    }
  }

  #key(kind: ApiRecordKind): string {
    return `${this.#prefix}:api:${kind}`;
  }

  protected async rawPut(kind: ApiRecordKind, id: string, json: string): Promise<void> {
    await this.#call('HSET', this.#key(kind), id, json);
  }

  protected async rawGet(kind: ApiRecordKind, id: string): Promise<string | null> {
    const v = await this.#call('HGET', this.#key(kind), id);
    return typeof v === 'string' ? v : v instanceof Buffer ? v.toString('utf8') : null;
  }

  protected async rawList(kind: ApiRecordKind, after: string | undefined, limit: number) {
    // API accounts are few (Apple allows 50 per organisation); HKEYS then a bounded HMGET page.
    const keys = ((await this.#call('HKEYS', this.#key(kind))) as unknown[]).map(String).sort();
    const ids = keys.filter((k) => after === undefined || k > after).slice(0, limit);
    if (ids.length === 0) return [];
    const docs = (await this.#call('HMGET', this.#key(kind), ...ids)) as unknown[];
    const out: { id: string; json: string }[] = [];
    ids.forEach((id, i) => {
      const d = docs[i];
      if (d !== null && d !== undefined) out.push({ id, json: String(d) });
    });
    return out;
  }

  protected async rawDelete(kind: ApiRecordKind, id: string): Promise<boolean> {
    return Number(await this.#call('HDEL', this.#key(kind), id)) > 0;
  }
}
