import type { SessionRecord, SessionStore } from '../storage/types.js';
import type { SessionCache } from './session-cache.js';

/** How long a stored ADE session is reused before logging in again (Apple does not say). */
const SESSION_TTL_MS = 20 * 60_000;

/** How long a session read from storage is trusted before reading it again. */
const LOCAL_SESSION_MS = 30_000;

/** Where {@link storageSessionCache} keeps a token's session. @internal */
export interface StorageSessionCacheOptions {
  /** The store (its session methods); sessions are encrypted at rest by the store. */
  storage: Pick<SessionStore, 'getSession' | 'putSession' | 'putSessionFor' | 'deleteSession'> & {
    /** The store's clock: the store judges `expiresAt` by it, so it also stamps it. */
    now(): Promise<string>;
  };
  /** The token whose session this is. */
  tokenId: string;
  /**
   * The credentials version that logs in: a session written under another version (a run still
   * using the old credentials after a renewal) is ignored. Empty for no tagging.
   */
  version?: string | undefined;
}

/** A {@link storageSessionCache}: a {@link SessionCache} that can be handed a fresh read. @internal */
export interface StorageSessionCache extends SessionCache {
  /**
   * Takes `stored` as what the store holds now (read by someone else, e.g. with a sync run's
   * start), as if `get` had just read it: the next `get` within the memo's lifetime does not
   * read the store.
   */
  prime(stored: SessionRecord | null): void;
}

/**
 * A {@link SessionCache} on top of a store's session records, so that every replica sharing the
 * store reuses one ADE session per token. Reads are remembered for a few seconds (an in-process
 * memo on the monotonic clock) so that a sync does not query the store on every request; a
 * session another replica replaced is picked up after a 401 (the client asks for a refresh,
 * which reads the store again).
 * @internal
 */
export function storageSessionCache(options: StorageSessionCacheOptions): StorageSessionCache {
  const { storage, tokenId } = options;
  const version = options.version ?? '';
  let local: { value: string | undefined; at: number } | undefined;
  // A stored session is tagged with the credentials version that logged in.
  const tag = version === '' ? '' : `${version}~`;
  const remember = (stored: string | undefined): string | undefined => {
    const value =
      typeof stored === 'string' && stored.startsWith(tag) ? stored.slice(tag.length) : undefined;
    local = { value, at: performance.now() };
    return value;
  };
  return {
    get: async () => {
      if (local !== undefined && performance.now() - local.at < LOCAL_SESSION_MS) {
        return local.value;
      }
      return remember((await storage.getSession(tokenId))?.sessionToken);
    },
    prime: (stored) => {
      remember(stored?.sessionToken);
    },
    set: async (_key, sessionToken) => {
      // The store decides expiry by its own clock (database time, Redis TIME), so `expiresAt` is
      // stamped by that clock too: a manager clock behind the store's would otherwise store
      // sessions that are already expired, and every request would log in again.
      const tagged = `${tag}${sessionToken}`;
      if (typeof storage.putSessionFor === 'function') {
        // One step: the store stamps the expiry from its own clock.
        await storage.putSessionFor(tokenId, { sessionToken: tagged, ttlMs: SESSION_TTL_MS });
      } else {
        const expiresAt = new Date(Date.parse(await storage.now()) + SESSION_TTL_MS).toISOString();
        await storage.putSession(tokenId, { sessionToken: tagged, expiresAt });
      }
      local = { value: sessionToken, at: performance.now() };
    },
    delete: async () => {
      local = undefined;
      await storage.deleteSession(tokenId);
    },
  };
}
