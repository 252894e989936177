import type { z } from 'zod';
import { lazy } from '../internal/zod.js';

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
  /**
   * Optional fast path for large answers: an allocation-free test with exactly the rules of
   * `response`. A value it accepts is used as it is (zod is skipped); a value it refuses is
   * validated by `response`, which reports the issues.
   */
  readonly accepts?: (value: unknown) => value is T;
}

/**
 * What {@link defineOperation} takes: an {@link Operation} whose response schema is built on
 * first use (importing abmkit loads no zod). @internal
 */
export interface OperationSpec<T> extends Omit<Operation<T>, 'response'> {
  /** Returns the response schema, built once (see `lazy` in `internal/zod.ts`). */
  readonly response: () => z.ZodType<T>;
}

/**
 * Declares an operation (keeps the literal types). Its `response` schema is built when it is
 * first read. @internal
 */
export function defineOperation<T>(spec: OperationSpec<T>): Operation<T> {
  const { response, ...rest } = spec;
  return Object.freeze({
    ...rest,
    get response(): z.ZodType<T> {
      return response();
    },
  });
}

/** The response schema of operations whose answer is not read (an empty 200). @internal */
export const unknownResponse: () => z.ZodType<unknown> = lazy((z) => z.unknown());
