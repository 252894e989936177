import type { SessionPersistence } from '../adapter.js';
import type { IsoDateTime, SessionRecord } from '../types.js';
import { clone, type StateCore } from './state-core.js';

/** Sessions of the in-process adapters (expiry filtered on read). @internal */
export class StateSessions implements SessionPersistence {
  constructor(private readonly core: StateCore) {}

  put(tokenId: string, session: { sessionToken: string; expiresAt: IsoDateTime }): Promise<void> {
    return this.core.write(() => {
      const value = { tokenId, ...session, updatedAt: this.core.nowIso() };
      return [[{ op: 'session', tokenId, value }], undefined];
    });
  }

  putFor(tokenId: string, session: { sessionToken: string; ttlMs: number }): Promise<void> {
    return this.core.write(() => {
      const expiresAt = new Date(this.core.nowMs() + session.ttlMs).toISOString();
      const value = {
        tokenId,
        sessionToken: session.sessionToken,
        expiresAt,
        updatedAt: this.core.nowIso(),
      };
      return [[{ op: 'session', tokenId, value }], undefined];
    });
  }

  get(tokenId: string): Promise<SessionRecord | null> {
    return this.core.read((s) => {
      const session = s.sessions.get(tokenId);
      if (session === undefined || Date.parse(session.expiresAt) <= this.core.nowMs()) return null;
      return clone(session);
    });
  }

  delete(tokenId: string): Promise<void> {
    return this.core.write(() => [
      this.core.state.sessions.has(tokenId) ? [{ op: 'session', tokenId, value: null }] : [],
      undefined,
    ]);
  }
}
