import { createHash } from 'node:crypto';
import type { SessionCache } from '../auth/session-cache.js';
import { AbmClient } from '../client/abm-client.js';
import type { RetryOptions } from '../client/options.js';
import { createServerToken } from '../crypto/create-server-token.js';
import { TokenNotFoundError } from '../errors/index.js';
import type { AbmLogger } from '../internal/logger.js';
import type { AbmStorage, TokenRecord } from '../storage/types.js';

/** How long a stored ADE session is reused before logging in again (Apple does not say). */
const SESSION_TTL_MS = 20 * 60_000;

/** How long a session read from storage is trusted before reading it again. */
const LOCAL_SESSION_MS = 30_000;

/**
 * A {@link SessionCache} on top of the manager's storage, so that every replica sharing the
 * store reuses one ADE session per token (sessions are encrypted at rest by the store). Reads
 * are remembered for a few seconds so that a sync does not query the store on every request; a
 * session another replica replaced is picked up after a 401 (the client asks for a refresh,
 * which reads the store again).
 * @internal
 */
export function storageSessionCache(
  storage: AbmStorage,
  tokenId: string,
  version = '',
): SessionCache {
  let local: { value: string | undefined; at: number } | undefined;
  // A stored session is tagged with the credentials version that logged in: a session written
  // by a run still using the old credentials after a renewal is ignored by the new ones.
  const tag = version === '' ? '' : `${version}~`;
  return {
    get: async () => {
      if (local !== undefined && Date.now() - local.at < LOCAL_SESSION_MS) return local.value;
      const stored = (await storage.getSession(tokenId))?.sessionToken;
      const value =
        typeof stored === 'string' && stored.startsWith(tag) ? stored.slice(tag.length) : undefined;
      local = { value, at: Date.now() };
      return value;
    },
    set: async (_key, sessionToken) => {
      const expiresAt = new Date(Date.now() + SESSION_TTL_MS).toISOString();
      await storage.putSession(tokenId, { sessionToken: `${tag}${sessionToken}`, expiresAt });
      local = { value: sessionToken, at: Date.now() };
    },
    delete: async () => {
      local = undefined;
      await storage.deleteSession(tokenId);
    },
  };
}

/** What every client of a manager shares. @internal */
export interface ClientSettings {
  storage: AbmStorage;
  baseUrl: string | undefined;
  userAgent: string | undefined;
  protocolVersion: number | undefined;
  fetch: typeof globalThis.fetch | undefined;
  retry: RetryOptions | undefined;
  logger: AbmLogger;
}

/**
 * Builds and caches one {@link AbmClient} per token, rebuilt when the token's credentials or base
 * URL change (after an upload).
 * @internal
 */
export class ClientPool {
  readonly #settings: ClientSettings;
  readonly #clients = new Map<string, { fingerprint: string; client: AbmClient }>();

  constructor(settings: ClientSettings) {
    this.#settings = settings;
  }

  /** The client of a token that has credentials. */
  get(token: TokenRecord): AbmClient {
    const credentials = token.credentials;
    if (credentials === undefined) {
      throw new TokenNotFoundError(token.tokenId);
    }
    const baseUrl = token.baseUrl ?? this.#settings.baseUrl;
    const fingerprint = createHash('sha256')
      .update(`${credentials.consumerKey}\n${credentials.accessToken}\n${baseUrl ?? ''}`)
      .digest('hex');
    const cached = this.#clients.get(token.tokenId);
    if (cached?.fingerprint === fingerprint) return cached.client;
    const s = this.#settings;
    const client = new AbmClient({
      token: createServerToken({
        consumerKey: credentials.consumerKey,
        consumerSecret: credentials.consumerSecret,
        accessToken: credentials.accessToken,
        accessSecret: credentials.accessSecret,
        accessTokenExpiry: new Date(credentials.accessTokenExpiry),
      }),
      sessionCache: storageSessionCache(s.storage, token.tokenId, fingerprint.slice(0, 16)),
      logger: s.logger,
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(s.userAgent === undefined ? {} : { userAgent: s.userAgent }),
      ...(s.protocolVersion === undefined ? {} : { protocolVersion: s.protocolVersion }),
      ...(s.fetch === undefined ? {} : { fetch: s.fetch }),
      ...(s.retry === undefined ? {} : { retry: s.retry }),
    });
    this.#clients.set(token.tokenId, { fingerprint, client });
    return client;
  }

  /** Forgets a token's client (after an upload or deletion). */
  forget(tokenId: string): void {
    this.#clients.delete(tokenId);
  }
}
