import { tokenMatches } from '../../domain/tokens.js';
import type { TokenPersistence } from '../adapter.js';
import type { Page, TokenExpectation, TokenPatch, TokenQuery, TokenRecord } from '../types.js';
import { clone, type StateCore } from './state-core.js';

/** Tokens of the in-process adapters. @internal */
export class StateTokens implements TokenPersistence {
  constructor(private readonly core: StateCore) {}

  #patched(stored: TokenRecord | undefined, tokenId: string, patch: TokenPatch): TokenRecord {
    const now = this.core.nowIso();
    const next: Record<string, unknown> = { ...(stored ?? { tokenId, createdAt: now }) };
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'tokenId' || k === 'createdAt' || k === 'updatedAt' || v === undefined) continue;
      if (v === null) delete next[k];
      else next[k] = clone(v);
    }
    // updatedAt moves forward on every write, by at least 1 ms (it versions the record).
    const prev = stored === undefined ? Number.NaN : Date.parse(stored.updatedAt);
    next['updatedAt'] = prev >= Date.parse(now) ? new Date(prev + 1).toISOString() : now;
    return next as unknown as TokenRecord;
  }

  save(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    return this.core.write(() => {
      const value = this.#patched(this.core.state.tokens.get(tokenId), tokenId, patch);
      return [[{ op: 'token', value }], clone(value)];
    });
  }

  update(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    return this.core.write(() => {
      const stored = this.core.state.tokens.get(tokenId);
      if (stored === undefined || !tokenMatches(stored, expect)) return [[], null];
      const value = this.#patched(stored, tokenId, patch);
      return [[{ op: 'token', value }], clone(value)];
    });
  }

  get(tokenId: string): Promise<TokenRecord | null> {
    return this.core.read((s) => {
      const t = s.tokens.get(tokenId);
      return t === undefined ? null : clone(t);
    });
  }

  list(query: TokenQuery & { limit: number }): Promise<Page<TokenRecord>> {
    const { limit } = query;
    return this.core.read((s) => {
      const all = [...s.tokens.values()]
        .filter(
          (t) =>
            (query.customerId === undefined || t.customerId === query.customerId) &&
            (query.siteId === undefined || t.siteId === query.siteId) &&
            (query.cursor === undefined || t.tokenId > query.cursor),
        )
        .sort((a, b) => (a.tokenId < b.tokenId ? -1 : 1));
      const items = all.slice(0, limit).map(clone);
      return { items, nextCursor: all.length > limit ? (items.at(-1)?.tokenId ?? null) : null };
    });
  }

  delete(tokenId: string): Promise<boolean> {
    return this.core.write(() => {
      const s = this.core.state;
      const existed = s.tokens.has(tokenId) || s.devices.has(tokenId) || s.cursors.has(tokenId);
      return [existed ? [{ op: 'dropToken', tokenId }] : [], existed];
    });
  }
}
