import type { AbmLogger } from '../internal/logger.js';
import type { SessionCache } from './session-cache.js';

/**
 * Owns one token's session: reads it from the {@link SessionCache}, logs in once for all
 * concurrent callers (single flight), replaces a stale session, and adopts rotated ones.
 * @internal
 */
export class SessionManager {
  readonly #cache: SessionCache;
  readonly #key: string;
  readonly #login: () => Promise<string>;
  readonly #logger: AbmLogger;
  #inflight: Promise<string> | undefined;

  constructor(cache: SessionCache, key: string, login: () => Promise<string>, logger: AbmLogger) {
    this.#cache = cache;
    this.#key = key;
    this.#login = login;
    this.#logger = logger;
  }

  /** The cached session, without logging in. */
  async current(): Promise<string | undefined> {
    const value = await this.#cache.get(this.#key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  /** The cached session, logging in (single flight) when there is none. */
  async get(): Promise<string> {
    return (await this.current()) ?? this.refresh(undefined);
  }

  /**
   * Replaces `stale` (the session a request was rejected with) by a fresh one. If another caller
   * already replaced it, that newer session is returned without a second login.
   */
  refresh(stale: string | undefined): Promise<string> {
    this.#inflight ??= this.#refresh(stale).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #refresh(stale: string | undefined): Promise<string> {
    const current = await this.current();
    if (current !== undefined && current !== stale) return current;
    if (current !== undefined) await this.#cache.delete(this.#key);
    this.#logger.debug({ event: 'session.login' }, 'abmkit: logging in to ADE (GET /session)');
    const session = await this.#login();
    await this.#cache.set(this.#key, session);
    this.#logger.info({ event: 'session.established' }, 'abmkit: ADE session established');
    return session;
  }

  /** Stores a session Apple sent in an `X-ADM-Auth-Session` response header. */
  async adopt(session: string): Promise<void> {
    await this.#cache.set(this.#key, session);
    this.#logger.debug({ event: 'session.rotated' }, 'abmkit: adopted rotated ADE session');
  }
}
