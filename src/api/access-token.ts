import { raceSignal } from '../client/abort.js';
import { ResponseValidationError } from '../errors/index.js';
import { lazy } from '../internal/zod.js';
import { mintClientAssertion } from './assertion.js';
import type { ApiCredentials } from './credentials.js';
import type { ApiHttp } from './http.js';
import { type AccessTokenCache, accessTokenCacheKey } from './token-cache.js';

/** The token endpoint's answer, built on first use. */
const getTokenResponseSchema = lazy((z) =>
  z.looseObject({
    access_token: z.string().min(1).max(16_384),
    token_type: z.string().optional(),
    expires_in: z.number().positive().optional(),
  }),
);

/** Tokens are refreshed this long before `expires_in` runs out. @internal */
export const REFRESH_MARGIN_MS = 60_000;
/** Apple's tokens last one hour (two client READMEs); used when `expires_in` is absent. */
const DEFAULT_LIFETIME_S = 3600;

/**
 * Mints, caches and refreshes OAuth 2 access tokens for one API account. Refreshes are
 * single-flight per process; the cache (possibly shared storage) lets replicas reuse a token.
 * @internal
 */
export class AccessTokenProvider {
  readonly #creds: ApiCredentials;
  readonly #cache: AccessTokenCache;
  readonly #key: string;
  readonly #tokenUrl: string;
  readonly #audience: string;
  readonly #now: () => number;
  #http: ApiHttp | undefined;
  #inflight: Promise<string> | undefined;
  #memo: { accessToken: string; expiresAt: number } | undefined;

  constructor(options: {
    credentials: ApiCredentials;
    cache: AccessTokenCache;
    tokenUrl: string;
    audience: string;
    now: () => number;
  }) {
    this.#creds = options.credentials;
    this.#cache = options.cache;
    this.#tokenUrl = options.tokenUrl;
    this.#audience = options.audience;
    this.#now = options.now;
    this.#key = accessTokenCacheKey(options.credentials.clientId, options.credentials.keyId);
  }

  /** Wires the HTTP layer (the two depend on each other). */
  attach(http: ApiHttp): void {
    this.#http = http;
  }

  /** A usable token: from memory, the cache, or a new one. */
  async get(signal?: AbortSignal): Promise<string> {
    const memo = this.#memo;
    if (memo && this.#fresh(memo.expiresAt)) return memo.accessToken;
    return raceSignal(this.#single(undefined), signal, () => signal?.reason);
  }

  /** Forgets `rejected` (memory and cache) and returns a different token. */
  refresh(rejected: string, signal?: AbortSignal): Promise<string> {
    return raceSignal(this.#single(rejected), signal, () => signal?.reason);
  }

  #fresh(expiresAt: number): boolean {
    return this.#now() < expiresAt;
  }

  #single(rejected: string | undefined): Promise<string> {
    if (this.#inflight === undefined) {
      const run = this.#obtain(rejected).finally(() => {
        if (this.#inflight === run) this.#inflight = undefined;
      });
      this.#inflight = run;
    }
    return this.#inflight;
  }

  async #obtain(rejected: string | undefined): Promise<string> {
    if (rejected !== undefined && this.#memo?.accessToken === rejected) this.#memo = undefined;
    const cached = await this.#cache.get(this.#key);
    if (cached && cached.accessToken !== rejected && this.#fresh(cached.expiresAt)) {
      this.#memo = { accessToken: cached.accessToken, expiresAt: cached.expiresAt };
      return cached.accessToken;
    }
    if (cached && cached.accessToken === rejected) await this.#cache.delete(this.#key);
    const minted = await this.#mint();
    this.#memo = minted;
    await this.#cache.set(this.#key, minted);
    return minted.accessToken;
  }

  async #mint(): Promise<{ accessToken: string; expiresAt: number }> {
    const http = this.#http;
    if (!http) throw new Error('AccessTokenProvider used before attach()');
    const started = this.#now();
    const assertion = mintClientAssertion(this.#creds, {
      nowMs: started,
      audience: this.#audience,
    });
    const path = new URL(this.#tokenUrl).pathname;
    const body = await http.send({
      operation: 'token',
      method: 'POST',
      url: this.#tokenUrl,
      path,
      form: {
        grant_type: 'client_credentials',
        client_id: this.#creds.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: this.#creds.scope,
      },
      retrySafe: true,
      auth: 'none',
    });
    const parsed = getTokenResponseSchema().safeParse(body);
    if (!parsed.success) {
      throw new ResponseValidationError(
        `Apple's token endpoint answered without a usable access_token (POST ${path}). Check tokenUrl.`,
        { operation: 'token', method: 'POST', path, attempts: 1 },
      );
    }
    const lifetimeMs = (parsed.data.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
    // Stop using it shortly before Apple's expiry (a minute, or half the lifetime if shorter).
    const usableMs = lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    return { accessToken: parsed.data.access_token, expiresAt: started + usableMs };
  }
}
