import type { z } from 'zod';

/** HTTP methods ADE uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One ADE operation: what to send and how to treat the answer. Each file in `resources/`
 * declares one. `retrySafe` is declared here, never inferred from the method: ADE reads are POST,
 * and some writes (define profile, disown, activation lock) must not be replayed blindly.
 */
export interface Operation<T> {
  /** Method name on `AbmClient`, used in logs and errors. */
  readonly name: string;
  /** HTTP method. */
  readonly method: HttpMethod;
  /** Path below the base URL, starting with `/`. */
  readonly path: string;
  /**
   * Whether replaying the request after an ambiguous failure (timeout, reset connection, 5xx) is
   * harmless. Unsafe operations are retried only when the request provably never reached Apple
   * (connection refused, DNS failure) or was refused with 429.
   */
  readonly retrySafe: boolean;
  /** How the request authenticates: an ADE session, or OAuth1 (only `GET /session`). */
  readonly auth: 'session' | 'oauth';
  /** Validates the JSON response. An empty body is passed as `undefined`. */
  readonly response: z.ZodType<T>;
}

/** Declares an operation (identity function that keeps the literal types). @internal */
export function defineOperation<T>(op: Operation<T>): Operation<T> {
  return Object.freeze(op);
}
