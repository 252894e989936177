import { createHash } from 'node:crypto';
import type { SessionStore } from '../storage/types.js';

/** A cached OAuth 2 access token of an API account. */
export interface CachedAccessToken {
  /** The bearer token. Secret. */
  accessToken: string;
  /** When to stop using it (shortly before Apple's `expires_in` runs out), epoch milliseconds. */
  expiresAt: number;
}

/**
 * Where {@link AbmApiClient} keeps access tokens, keyed per API account (see
 * {@link accessTokenCacheKey}). Share one between replicas so that they reuse one token instead of
 * each minting its own; {@link storageAccessTokenCache} keeps them in an abmkit storage,
 * encrypted at rest like the ADE session.
 */
export interface AccessTokenCache {
  /** The token stored under `key`, or `null`/`undefined`. */
  get(
    key: string,
  ): Promise<CachedAccessToken | null | undefined> | CachedAccessToken | null | undefined;
  /** Stores (replaces) the token under `key`. */
  set(key: string, token: CachedAccessToken): Promise<void> | void;
  /** Forgets the token under `key` (after Apple refused it). */
  delete(key: string): Promise<void> | void;
}

/** The default {@link AccessTokenCache}: an in-process map private to one client. */
export class MemoryAccessTokenCache implements AccessTokenCache {
  readonly #tokens = new Map<string, CachedAccessToken>();
  /** {@inheritDoc AccessTokenCache.get} */
  get(key: string): CachedAccessToken | undefined {
    return this.#tokens.get(key);
  }
  /** {@inheritDoc AccessTokenCache.set} */
  set(key: string, token: CachedAccessToken): void {
    this.#tokens.set(key, { ...token });
  }
  /** {@inheritDoc AccessTokenCache.delete} */
  delete(key: string): void {
    this.#tokens.delete(key);
  }
}

/**
 * The cache key of an API account's access token: `abmkit:api-token:` + SHA-256 of the client id
 * and key id. It names the account without revealing anything secret.
 */
export function accessTokenCacheKey(clientId: string, keyId: string): string {
  return `abmkit:api-token:${createHash('sha256').update(clientId).update('\n').update(keyId).digest('hex')}`;
}

/**
 * An {@link AccessTokenCache} over an abmkit storage (memory, file, PostgreSQL, Redis): tokens go
 * through the storage's session records, so they are encrypted at rest by its secret box and
 * expire by themselves. Every replica given the same storage shares one token per API account.
 *
 * @example
 * ```ts
 * const client = new AbmApiClient({ ...credentials, tokenCache: storageAccessTokenCache(storage) });
 * ```
 */
export function storageAccessTokenCache(
  storage: Pick<SessionStore, 'getSession' | 'putSession' | 'deleteSession'>,
): AccessTokenCache {
  return {
    async get(key) {
      const record = await storage.getSession(key);
      if (record === null) return null;
      const expiresAt = Date.parse(record.expiresAt);
      return Number.isFinite(expiresAt) ? { accessToken: record.sessionToken, expiresAt } : null;
    },
    async set(key, token) {
      await storage.putSession(key, {
        sessionToken: token.accessToken,
        expiresAt: new Date(token.expiresAt).toISOString(),
      });
    },
    async delete(key) {
      await storage.deleteSession(key);
    },
  };
}
