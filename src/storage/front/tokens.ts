import { toJson } from '../../domain/json.js';
import { pageLimit } from '../../domain/paging.js';
import { checkIso, checkTokenId } from '../../domain/validate.js';
import { InvalidArgumentError, isAbmError } from '../../errors/index.js';
import type { StorageAdapter } from '../adapter.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type {
  IsoDateTime,
  Page,
  ReencryptResult,
  SessionRecord,
  TokenExpectation,
  TokenPatch,
  TokenQuery,
  TokenRecord,
} from '../types.js';
import { checkTokenPatch } from './checks.js';
import { reencryptStoredSecrets } from './reencrypt.js';
import { TokenSecrets } from './token-secrets.js';

/**
 * The front of the token and session stores: argument checks, sealing on the way in and
 * opening on the way out, JSON normalisation of token fields, key rotation. @internal
 */
export class TokenFront {
  readonly #sealer: TokenSecrets;

  constructor(
    private readonly adapter: StorageAdapter,
    private readonly secrets: SecretBox,
  ) {
    this.#sealer = new TokenSecrets(secrets);
  }

  async save(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    checkTokenId(tokenId);
    checkTokenPatch(patch);
    const sealed = await this.#seal(tokenId, patch);
    return this.#sealer.open(await this.adapter.tokens.save(tokenId, sealed));
  }

  async update(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    checkTokenId(tokenId);
    const prepared = await this.prepareUpdate(tokenId, patch, expect);
    const raw = await this.adapter.tokens.update(tokenId, prepared.patch, prepared.expect);
    return raw === null ? null : this.#sealer.open(raw);
  }

  /** An {@link TokenFront.update}'s arguments checked, the patch sealed and both held to JSON. */
  async prepareUpdate(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<{ patch: TokenPatch; expect: TokenExpectation }> {
    checkTokenPatch(patch);
    if (expect === null || typeof expect !== 'object') {
      throw new InvalidArgumentError('updateToken(tokenId, patch, expect) needs an expect object.');
    }
    const sealed = await this.#seal(tokenId, patch);
    // Compared with the stored JSON document, so held to the same JSON form (a typed error, not
    // a TypeError, for a value JSON cannot carry); `undefined` keeps its meaning, absent (null).
    const expected = Object.fromEntries(
      Object.entries(expect).map(([k, v]) => [k, v === undefined ? null : toJson(v)]),
    ) as TokenExpectation;
    return { patch: sealed, expect: expected };
  }

  /** A stored (sealed) token, opened. */
  open(raw: TokenRecord): Promise<TokenRecord> {
    return this.#sealer.open(raw);
  }

  async #seal(tokenId: string, patch: TokenPatch): Promise<TokenPatch> {
    return toJson(await this.#sealer.seal(tokenId, patch)) as TokenPatch;
  }

  async get(tokenId: string): Promise<TokenRecord | null> {
    const raw = await this.adapter.tokens.get(checkTokenId(tokenId));
    return raw === null ? null : this.#sealer.open(raw);
  }

  async list(query: TokenQuery | undefined): Promise<Page<TokenRecord>> {
    if (query === null || typeof query !== 'object') {
      if (query !== null && query !== undefined) {
        throw new InvalidArgumentError('listTokens(query) needs an object, e.g. { customerId }.');
      }
      query = {};
    }
    const page = await this.adapter.tokens.list({ ...query, limit: pageLimit(query) });
    const items: TokenRecord[] = [];
    for (const raw of page.items) {
      try {
        items.push(await this.#sealer.open(raw));
      } catch (error) {
        if (!isAbmError(error, 'SECRET_DECRYPT_FAILED')) throw error;
        items.push(this.#sealer.unreadable(raw));
      }
    }
    return { items, nextCursor: page.nextCursor };
  }

  async delete(tokenId: string): Promise<boolean> {
    return this.adapter.tokens.delete(checkTokenId(tokenId));
  }

  async getSession(tokenId: string): Promise<SessionRecord | null> {
    const raw = await this.adapter.sessions.get(checkTokenId(tokenId));
    return raw === null ? null : this.openSession(raw);
  }

  /** A session record as an adapter stores it (sealed), opened. */
  async openSession(raw: SessionRecord): Promise<SessionRecord> {
    const aad = `session|${raw.tokenId}|sessionToken`;
    return { ...raw, sessionToken: await this.secrets.open(raw.sessionToken, aad) };
  }

  async putSession(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void> {
    checkTokenId(tokenId);
    const aad = `session|${tokenId}|sessionToken`;
    const sessionToken = await this.secrets.seal(session.sessionToken, aad);
    const expiresAt = checkIso(session.expiresAt, 'A session expiresAt');
    await this.adapter.sessions.put(tokenId, { sessionToken, expiresAt });
  }

  async putSessionFor(
    tokenId: string,
    session: { sessionToken: string; ttlMs: number },
  ): Promise<void> {
    checkTokenId(tokenId);
    const ttlMs = session?.ttlMs;
    if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new InvalidArgumentError('A session ttlMs must be a positive number of milliseconds.');
    }
    const sessions = this.adapter.sessions;
    if (sessions.putFor === undefined) {
      const expiresAt = new Date(Date.parse(await this.adapter.now()) + ttlMs).toISOString();
      return this.putSession(tokenId, { sessionToken: session.sessionToken, expiresAt });
    }
    const aad = `session|${tokenId}|sessionToken`;
    const sessionToken = await this.secrets.seal(session.sessionToken, aad);
    await sessions.putFor(tokenId, { sessionToken, ttlMs });
  }

  async deleteSession(tokenId: string): Promise<void> {
    await this.adapter.sessions.delete(checkTokenId(tokenId));
  }

  reencrypt(): Promise<ReencryptResult> {
    return reencryptStoredSecrets(this.adapter, this.secrets, this.#sealer);
  }
}
