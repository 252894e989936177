import { isAbmError } from '../errors/index.js';
import { isHTTPError } from './load-ky.js';

/** HTTP statuses worth retrying (for safe operations). @internal */
export const RETRY_STATUS_CODES: readonly number[] = [429, 500, 502, 503, 504];

/** Low-level error codes proving the request never left this host (safe to retry anything). */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Codes that mean the connection broke after the request may have been sent. */
const MAYBE_SENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function collectCodes(error: unknown, out: Set<string>, depth = 0): Set<string> {
  if (depth > 5 || typeof error !== 'object' || error === null) return out;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') out.add(e.code);
  collectCodes(e.cause, out, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) collectCodes(inner, out, depth + 1);
  return out;
}

/**
 * Whether a network error proves the request never reached the server (DNS failure, refused
 * connection). Only then may a non-idempotent operation be replayed.
 * @internal
 */
export function provablyNotSent(error: unknown): boolean {
  const codes = collectCodes(error, new Set());
  for (const code of codes) if (MAYBE_SENT_CODES.has(code)) return false;
  for (const code of codes) if (NEVER_SENT_CODES.has(code)) return true;
  return false;
}

/** Statuses for which ky honours a server-sent delay (its `afterStatusCodes`). @internal */
export const RETRY_AFTER_STATUS_CODES: readonly number[] = [429, 503];

/** The headers ky reads a server-sent delay from, in ky 1.14's order. */
const RETRY_AFTER_HEADERS = [
  'retry-after',
  'ratelimit-reset',
  'x-ratelimit-retry-after',
  'x-ratelimit-reset',
  'x-rate-limit-reset',
];

/**
 * Whether `response` carries a delay header that ky would use but cannot parse (neither seconds
 * nor an HTTP date). ky then waits the whole `maxRetryAfter` cap; abmkit uses its backoff instead.
 * @internal
 */
export function hasUnusableRetryAfter(response: Response): boolean {
  if (!RETRY_AFTER_STATUS_CODES.includes(response.status)) return false;
  for (const name of RETRY_AFTER_HEADERS) {
    const value = response.headers.get(name);
    // ky takes the first header that is present and non-empty (`??` then a truthiness test).
    if (value === null) continue;
    if (value === '') return false;
    return Number.isNaN(Number(value)) && Number.isNaN(Date.parse(value));
  }
  return false;
}

/**
 * The retry decision for one failed attempt: `true` retry with backoff, `false` give up,
 * `undefined` let ky decide (HTTP statuses, so that `Retry-After` is honoured).
 * @internal
 */
export function retryDecision(error: unknown, retrySafe: boolean): boolean | undefined {
  if (isAbmError(error)) return false;
  const name = (error as { name?: unknown })?.name;
  if (name === 'AbortError' || name === 'ForceRetryError') return false;
  if (isHTTPError(error)) {
    const status = error.response.status;
    if (!RETRY_STATUS_CODES.includes(status)) return false;
    // 429 means "not processed"; other 5xx are ambiguous for non-idempotent operations.
    if (!retrySafe && status !== 429) return false;
    // `true` retries with abmkit's backoff; `undefined` lets ky honour a usable Retry-After.
    return hasUnusableRetryAfter(error.response) ? true : undefined;
  }
  if (name === 'TimeoutError') return retrySafe;
  // Network failures surface as fetch's TypeError with an undici cause.
  if (error instanceof TypeError || name === 'TypeError') {
    return retrySafe || provablyNotSent(error);
  }
  return false;
}
