import type { SessionCache } from '../auth/session-cache.js';
import type { ServerToken } from '../crypto/server-token.js';
import { durationOption, MAX_TIMER_MS as SHARED_MAX_TIMER_MS } from '../internal/duration.js';
import type { AbmLogger } from '../internal/logger.js';

/** Apple's production ADE host. */
export const DEFAULT_BASE_URL = 'https://mdmenrollment.apple.com';
/** Default `X-Server-Protocol-Version`: 10 unlocks `THROTTLED` and `retry_after_seconds`. */
export const DEFAULT_PROTOCOL_VERSION = 10;

/** How {@link AbmClient} retries transient failures. One retry layer only (inside ky). */
export interface RetryOptions {
  /**
   * Retries after the first attempt for transient failures (network errors, 429, 500–504).
   * `0` disables them; the one forced replay after a session re-login is not counted.
   * @default 3
   */
  limit?: number;
  /** First backoff delay; doubles on each retry. @default 500 */
  baseDelayMs?: number;
  /** Cap on a computed backoff delay (before jitter). @default 8000 */
  maxDelayMs?: number;
  /** Cap on a server-sent `Retry-After` (seconds or HTTP date). @default 60000 */
  maxRetryAfterMs?: number;
  /** Randomise each backoff between 50 % and 100 % of the computed delay. @default true */
  jitter?: boolean;
}

/** Options for `new AbmClient(options)`. Every option except `token` has a default. */
export interface AbmClientOptions {
  /** The decrypted ADE server token (see `decryptServerToken`). */
  token: ServerToken;
  /** ADE base URL; set it for a simulator or proxy. @default 'https://mdmenrollment.apple.com' */
  baseUrl?: string;
  /**
   * `User-Agent` sent with every request. Apple rejects missing or blocklisted agents with
   * `USER_AGENT_INVALID`; use a distinctive `Product/Version`. @default `abmkit/<version>`
   */
  userAgent?: string;
  /** `X-Server-Protocol-Version`. @default 10 */
  protocolVersion?: number;
  /** A fetch implementation. @default `globalThis.fetch`, looked up on every call */
  fetch?: typeof globalThis.fetch;
  /** Time limit for one HTTP attempt, response body included. @default 30000 */
  timeoutMs?: number;
  /**
   * Time limit for one whole method call, retries and re-login included. Values above about
   * 24.8 days (the largest Node timer), `Infinity` included, mean that limit. @default 120000
   */
  deadlineMs?: number;
  /**
   * Largest response body accepted, in bytes. A body announced or streamed past it is cut off
   * and the call fails with `ResponseTooLargeError` (`RESPONSE_TOO_LARGE`); nothing beyond the
   * limit is downloaded or buffered. A full page of 1000 devices is well under 2 MiB. Error bodies
   * are always kept to their first 64 KiB. @default 33554432 (32 MiB)
   */
  maxResponseBytes?: number;
  /** Retry policy. */
  retry?: RetryOptions;
  /** A pino-compatible logger. Secrets are redacted before it sees anything. @default silent */
  logger?: AbmLogger;
  /**
   * Where sessions are kept, keyed per token. Share one across replicas (e.g. backed by Redis)
   * so that they reuse one ADE session. @default a new {@link MemorySessionCache}
   */
  sessionCache?: SessionCache;
  /** Aborts every call of this client (e.g. on shutdown). */
  signal?: AbortSignal;
  /** Concurrent requests when a serial list is split into chunks of 1000. @default 4 */
  concurrency?: number;
  /**
   * HTTP method for assign-profile. Apple documents POST; PUT also works (and Apple's `depsim`
   * accepts only PUT). @default 'POST'
   */
  assignProfileMethod?: 'POST' | 'PUT';
}

/** Default of {@link AbmClientOptions.maxResponseBytes}: 32 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Per-call options accepted by every {@link AbmClient} method. */
export interface RequestOptions {
  /** Aborts this call (including retries and backoff sleeps). */
  signal?: AbortSignal;
  /** Overrides the client's `deadlineMs` for this call (a positive number of milliseconds). */
  deadlineMs?: number;
}

/** Fully resolved retry policy. @internal */
export interface ResolvedRetry {
  limit: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  jitter: boolean;
}

/** Resolves {@link RetryOptions} against the defaults. @internal */
export function resolveRetry(retry: RetryOptions | undefined): ResolvedRetry {
  const limit = retry?.limit;
  return {
    limit: Math.floor(limit !== undefined && Number.isFinite(limit) && limit >= 0 ? limit : 3),
    // Delays go to timers: checked like every duration option, and clamped to what a timer can
    // wait (a larger value would make Node fire after 1 ms).
    baseDelayMs: durationOption(retry?.baseDelayMs, 500, 'AbmClient option retry.baseDelayMs', {
      allowZero: true,
    }),
    maxDelayMs: durationOption(retry?.maxDelayMs, 8_000, 'AbmClient option retry.maxDelayMs', {
      allowZero: true,
    }),
    maxRetryAfterMs: durationOption(
      retry?.maxRetryAfterMs,
      60_000,
      'AbmClient option retry.maxRetryAfterMs',
      { allowZero: true },
    ),
    jitter: retry?.jitter ?? true,
  };
}

/** The largest delay Node timers (and ky's `timeout`) accept: 2^31 - 1 ms, about 24.8 days. @internal */
export const MAX_TIMER_MS = SHARED_MAX_TIMER_MS;

/**
 * Checks a duration option: a positive number of milliseconds, clamped to {@link MAX_TIMER_MS}
 * (so `Infinity` means "as long as a timer can wait"). Anything else is an
 * `InvalidArgumentError` here rather than a `RangeError` from a timer later. Shares its rules with
 * every other duration option (see `durationOption`).
 * @internal
 */
export function resolveDurationMs(
  value: number | undefined,
  fallback: number,
  name: string,
): number {
  return durationOption(value, fallback, name);
}
