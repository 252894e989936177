import type { RetryOptions } from '../client/options.js';
import type { AbmLogger } from '../internal/logger.js';
import type { AccessTokenCache } from './token-cache.js';

/** Apple Business Manager API host. */
export const BUSINESS_API_BASE_URL = 'https://api-business.apple.com';
/** Apple School Manager API host. */
export const SCHOOL_API_BASE_URL = 'https://api-school.apple.com';
/** Apple's OAuth 2 token endpoint for API accounts. */
export const API_TOKEN_URL = 'https://account.apple.com/auth/oauth2/token';

/** Options of `new AbmApiClient(options)`. `clientId`, `keyId` and `privateKey` are required. */
export interface AbmApiClientOptions {
  /** The API account's client id: `BUSINESSAPI.<uuid>` or `SCHOOLAPI.<uuid>` (selects host and scope). */
  clientId: string;
  /** The key id shown under the API account in Apple Business Manager. */
  keyId: string;
  /** The P-256 private key PEM that Apple Business Manager generated (SEC1 or PKCS#8). */
  privateKey: string;
  /** API base URL (simulator, proxy). @default Apple's business or school host, from the client id */
  baseUrl?: string;
  /** OAuth 2 token URL. @default 'https://account.apple.com/auth/oauth2/token' */
  tokenUrl?: string;
  /** `User-Agent` sent with every request. @default `abmkit/<version>` */
  userAgent?: string;
  /**
   * `aud` of the client assertion. Apple's value differs from the token URL (it has `/v2/`).
   * @default 'https://account.apple.com/auth/oauth2/v2/token'
   */
  audience?: string;
  /** Where access tokens are cached; share one (e.g. {@link storageAccessTokenCache}) across replicas. @default in-process */
  tokenCache?: AccessTokenCache;
  /** Time limit for one HTTP attempt. @default 30000 */
  timeoutMs?: number;
  /** Time limit for one method call, retries included. @default 120000 */
  deadlineMs?: number;
  /** Retry policy (the same one `AbmClient` uses). */
  retry?: RetryOptions;
  /** Largest response body accepted, in bytes. @default 16 MiB */
  maxResponseBytes?: number;
  /** A fetch implementation. @default globalThis.fetch, looked up per call */
  fetch?: typeof globalThis.fetch;
  /** A pino-compatible logger. @default silent */
  logger?: AbmLogger;
  /** Aborts every call of this client. */
  signal?: AbortSignal;
  /** Clock for token expiry and activity polling, epoch ms. @default Date.now */
  now?: () => number;
  /** How activity polling waits. @default a timer that honours the signal */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}
