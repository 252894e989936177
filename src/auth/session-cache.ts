import { createHash } from 'node:crypto';
import type { ServerToken } from '../crypto/server-token.js';

/**
 * Where {@link AbmClient} keeps ADE session tokens (`X-ADM-Auth-Session`), one per server token.
 * Methods may be sync or async, so a replica fleet can share sessions through Redis or a database.
 *
 * Values are session tokens: secrets. Implementations must store them as such (encrypted at rest,
 * never logged). Keys are derived with {@link sessionCacheKey} and contain no secret.
 */
export interface SessionCache {
  /** The session stored under `key`, if any. */
  get(key: string): string | undefined | null | Promise<string | undefined | null>;
  /** Stores (or replaces) the session under `key`. */
  set(key: string, session: string): void | Promise<void>;
  /** Forgets the session under `key`. */
  delete(key: string): void | Promise<void>;
}

/** The default {@link SessionCache}: a plain in-process map, private to one client unless shared. */
export class MemorySessionCache implements SessionCache {
  readonly #sessions = new Map<string, string>();

  /** {@inheritDoc SessionCache.get} */
  get(key: string): string | undefined {
    return this.#sessions.get(key);
  }

  /** {@inheritDoc SessionCache.set} */
  set(key: string, session: string): void {
    this.#sessions.set(key, session);
  }

  /** {@inheritDoc SessionCache.delete} */
  delete(key: string): void {
    this.#sessions.delete(key);
  }
}

/**
 * The cache key for a token's session: `abmkit:session:` + SHA-256 of the consumer key and access
 * token. It identifies the token without revealing it, and never involves the OAuth secrets.
 */
export function sessionCacheKey(token: Pick<ServerToken, 'consumerKey' | 'accessToken'>): string {
  const digest = createHash('sha256')
    .update(token.consumerKey)
    .update('\n')
    .update(token.accessToken)
    .digest('hex');
  return `abmkit:session:${digest}`;
}
