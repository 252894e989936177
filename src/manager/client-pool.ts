import { createHash } from 'node:crypto';
import { type StorageSessionCache, storageSessionCache } from '../auth/storage-session-cache.js';
import { AbmClient } from '../client/abm-client.js';
import type { AbmClientOptions, RetryOptions } from '../client/options.js';
import { createServerToken } from '../crypto/create-server-token.js';
import { TokenNotFoundError } from '../errors/index.js';
import type { AbmLogger } from '../internal/logger.js';
import type { AbmStorage, SessionRecord, TokenRecord } from '../storage/types.js';

/** What every client of a manager shares. @internal */
export interface ClientSettings {
  storage: AbmStorage;
  baseUrl: string | undefined;
  userAgent: string | undefined;
  protocolVersion: number | undefined;
  fetch: typeof globalThis.fetch | undefined;
  retry: RetryOptions | undefined;
  /** Per-attempt, per-call and body-size limits (the client's defaults when absent). */
  limits: Pick<AbmClientOptions, 'timeoutMs' | 'deadlineMs' | 'maxResponseBytes'>;
  logger: AbmLogger;
  /** The manager's clock (stamps the stored sessions' expiry). */
  now: () => Date;
}

/**
 * Builds and caches one {@link AbmClient} per token, rebuilt when the token's credentials or base
 * URL change (after an upload).
 * @internal
 */
export class ClientPool {
  readonly #settings: ClientSettings;
  readonly #clients = new Map<
    string,
    { fingerprint: string; client: AbmClient; sessions: StorageSessionCache }
  >();

  constructor(settings: ClientSettings) {
    this.#settings = settings;
  }

  /**
   * The client of a token that has credentials. `session`: the token's stored session as just
   * read (a sync run's start reads it), so that the client does not read it again.
   */
  get(token: TokenRecord, session?: SessionRecord | null): AbmClient {
    const credentials = token.credentials;
    if (credentials === undefined) {
      throw new TokenNotFoundError(token.tokenId);
    }
    const baseUrl = token.baseUrl ?? this.#settings.baseUrl;
    const fingerprint = createHash('sha256')
      .update(`${credentials.consumerKey}\n${credentials.accessToken}\n${baseUrl ?? ''}`)
      .digest('hex');
    const cached = this.#clients.get(token.tokenId);
    if (cached?.fingerprint === fingerprint) {
      if (session !== undefined) cached.sessions.prime(session);
      return cached.client;
    }
    const s = this.#settings;
    const sessions = storageSessionCache({
      storage: s.storage,
      tokenId: token.tokenId,
      version: fingerprint.slice(0, 16),
    });
    if (session !== undefined) sessions.prime(session);
    const client = new AbmClient({
      token: createServerToken({
        consumerKey: credentials.consumerKey,
        consumerSecret: credentials.consumerSecret,
        accessToken: credentials.accessToken,
        accessSecret: credentials.accessSecret,
        accessTokenExpiry: new Date(credentials.accessTokenExpiry),
      }),
      sessionCache: sessions,
      logger: s.logger,
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(s.userAgent === undefined ? {} : { userAgent: s.userAgent }),
      ...(s.protocolVersion === undefined ? {} : { protocolVersion: s.protocolVersion }),
      ...(s.fetch === undefined ? {} : { fetch: s.fetch }),
      ...(s.retry === undefined ? {} : { retry: s.retry }),
      ...s.limits,
    });
    this.#clients.set(token.tokenId, { fingerprint, client, sessions });
    return client;
  }

  /** Forgets a token's client (after an upload or deletion). */
  forget(tokenId: string): void {
    this.#clients.delete(tokenId);
  }
}
