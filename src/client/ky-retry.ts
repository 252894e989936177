import type { RetryOptions } from 'ky';
import type { ResolvedRetry } from './options.js';
import { RETRY_AFTER_STATUS_CODES, RETRY_STATUS_CODES, retryDecision } from './retry-policy.js';

/**
 * ky's `retry` options for abmkit's one retry layer (429 with `Retry-After`, 5xx, network errors
 * as {@link retryDecision} allows), shared by the ADE transport and the Business API client.
 * `state.retries` counts the retries of the whole call, so a replay (re-login, token re-mint)
 * that is a second ky call shares the budget.
 * @internal
 */
export function kyRetryOptions(
  r: ResolvedRetry,
  retrySafe: boolean,
  methods: string[],
  state: { retries: number },
): RetryOptions {
  return {
    limit: r.limit,
    methods,
    statusCodes: [...RETRY_STATUS_CODES],
    afterStatusCodes: [...RETRY_AFTER_STATUS_CODES],
    maxRetryAfter: r.maxRetryAfterMs,
    backoffLimit: r.maxDelayMs,
    delay: (attempt: number) => r.baseDelayMs * 2 ** (attempt - 1),
    jitter: r.jitter ? (delay: number) => delay * (0.5 + Math.random() * 0.5) : false,
    retryOnTimeout: retrySafe,
    shouldRetry: ({ error }: { error: Error }) => {
      if (state.retries >= r.limit) return false;
      const decision = retryDecision(error, retrySafe);
      if (decision !== false) state.retries++;
      return decision;
    },
  };
}
