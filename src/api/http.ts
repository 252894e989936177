import { anySignal } from '../client/abort.js';
import { kyRetryOptions } from '../client/ky-retry.js';
import { isHTTPError, loadKy } from '../client/load-ky.js';
import { type CallSignals, mapFailure } from '../client/map-error.js';
import { type ResolvedRetry, resolveDurationMs } from '../client/options.js';
import { RedirectError, ResponseValidationError } from '../errors/index.js';
import type { AbmLogger } from '../internal/logger.js';
import { REDACTED } from '../internal/redact.js';
import { isRedirect, redirectTarget } from '../internal/redirect.js';
import { type ApiFailureContext, mapApiError } from './map-api-error.js';
import { readBounded } from './read-bounded.js';

/** One request of the API client. @internal */
export interface ApiRequest {
  /** Operation name for errors and logs, e.g. `orgDevices`. */
  operation: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** Absolute URL. */
  url: string;
  /** Path for errors (no query). */
  path: string;
  /** JSON body (JSON:API document). */
  json?: unknown;
  /** Form body (token endpoint). */
  form?: Record<string, string>;
  /** Whether a retry after an ambiguous failure is safe. */
  retrySafe: boolean;
  /** `bearer`: send the access token; `none`: nothing (token endpoint, foreign download URL). */
  auth: 'bearer' | 'none';
  /** Expect JSON (`true`) or return the raw text. @default true */
  expectJson?: boolean;
  signal?: AbortSignal | undefined;
  deadlineMs?: number | undefined;
}

/** What the HTTP layer needs. @internal */
export interface ApiHttpConfig {
  userAgent: string;
  fetch: typeof globalThis.fetch | undefined;
  timeoutMs: number;
  deadlineMs: number;
  retry: ResolvedRetry;
  logger: AbmLogger;
  signal: AbortSignal | undefined;
  maxResponseBytes: number;
  /** Current access token (minting one when needed). */
  accessToken(signal: AbortSignal): Promise<string>;
  /** Forgets `rejected` and mints a new token (single-flight). */
  refreshAccessToken(rejected: string, signal: AbortSignal): Promise<string>;
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * The single HTTP path of {@link AbmApiClient}: ky with abmkit's one retry layer (the policy of
 * `src/client/retry-policy.ts`: 429 with `Retry-After`, 5xx, network errors), one re-mint on a
 * 401, bounded bodies, no redirects (a redirect would carry the bearer token elsewhere), and
 * error mapping after ky settles.
 * @internal
 */
export class ApiHttp {
  readonly #cfg: ApiHttpConfig;
  constructor(config: ApiHttpConfig) {
    this.#cfg = config;
  }

  /** Sends one request; returns parsed JSON (or text). Throws only abmkit errors. */
  async send(req: ApiRequest): Promise<unknown> {
    const cfg = this.#cfg;
    const deadlineMs = resolveDurationMs(
      req.deadlineMs,
      cfg.deadlineMs,
      `${req.operation}: deadlineMs`,
    );
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = anySignal([req.signal, cfg.signal, deadline]) ?? deadline;
    const signals: CallSignals = {
      caller: req.signal,
      client: cfg.signal,
      deadline,
      deadlineMs,
      timeoutMs: cfg.timeoutMs,
    };
    const state = { attempts: 0, retries: 0, token: undefined as string | undefined };
    const ctx = (): ApiFailureContext => ({
      operation: req.operation,
      method: req.method,
      path: req.path,
      attempts: Math.max(1, state.attempts),
      isTokenRequest: req.form !== undefined,
    });
    try {
      if (signal.aborted) throw signal.reason;
      const { default: ky } = await loadKy();
      if (req.auth === 'bearer') state.token = await cfg.accessToken(signal);
      let reminted = false;
      for (;;) {
        try {
          const response = await this.#attempt(ky, req, state, signal);
          const text = await readBounded(response, cfg.maxResponseBytes, {
            operation: req.operation,
            method: req.method,
            path: req.path,
          });
          if (req.expectJson === false) return text;
          if (!/\S/.test(text)) return undefined;
          try {
            return JSON.parse(text);
          } catch {
            throw new ResponseValidationError(
              `Apple's answer to ${req.operation} (${req.method} ${req.path}) is not valid JSON. It may have been cut off; try again.`,
              {
                operation: req.operation,
                method: req.method,
                path: req.path,
                attempts: state.attempts,
              },
            );
          }
        } catch (error) {
          if (!isHTTPError(error)) throw error;
          const status = error.response.status;
          let body = await readBounded(error.response, MAX_ERROR_BODY, undefined);
          // An echoed bearer token matches no redaction pattern (it is opaque): remove it by value.
          if (state.token !== undefined && state.token.length >= 8 && body.includes(state.token)) {
            body = body.split(state.token).join(REDACTED);
          }
          if (status === 401 && req.auth === 'bearer' && !reminted && state.token !== undefined) {
            reminted = true;
            cfg.logger.info(
              { event: 'api.token.rejected', operation: req.operation },
              'abmkit: access token refused; minting a new one and replaying once',
            );
            state.token = await cfg.refreshAccessToken(state.token, signal);
            continue;
          }
          const requestId =
            error.response.headers.get('x-request-id') ??
            error.response.headers.get('x-apple-request-uuid') ??
            undefined;
          throw mapApiError(status, body, ctx(), requestId);
        }
      }
    } catch (error) {
      throw mapFailure(error, { ...ctx(), isSession: req.form !== undefined }, signals);
    }
  }

  #attempt(
    ky: typeof import('ky').default,
    req: ApiRequest,
    state: { attempts: number; retries: number; token: string | undefined },
    signal: AbortSignal,
  ): Promise<Response> {
    const cfg = this.#cfg;
    const body =
      req.form !== undefined
        ? new URLSearchParams(req.form).toString()
        : req.json !== undefined
          ? JSON.stringify(req.json)
          : undefined;
    const headers: Record<string, string> = {
      'user-agent': cfg.userAgent,
      accept: req.expectJson === false ? '*/*' : 'application/json',
    };
    if (req.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    else if (req.json !== undefined) headers['content-type'] = 'application/json';
    return ky(req.url, {
      method: req.method,
      headers,
      ...(body === undefined ? {} : { body }),
      timeout: cfg.timeoutMs,
      signal,
      // No redirect is followed (it would carry the bearer token or the key assertion elsewhere):
      // a 3xx is the typed REDIRECT_REFUSED at once, never retried as a network error.
      redirect: 'manual',
      fetch: async (input, init) => {
        const response = await (cfg.fetch ?? globalThis.fetch)(input, {
          ...init,
          redirect: 'manual',
        });
        if (isRedirect(response)) {
          await response.body?.cancel().catch(() => undefined);
          throw redirectError(req, response, state.attempts);
        }
        return response;
      },
      retry: kyRetryOptions(cfg.retry, req.retrySafe, ['get', 'post', 'patch'], state),
      hooks: {
        beforeRequest: [
          (request) => {
            state.attempts++;
            if (req.auth === 'bearer' && state.token !== undefined) {
              request.headers.set('authorization', `Bearer ${state.token}`);
            }
          },
        ],
      },
    });
  }
}

function redirectError(req: ApiRequest, response: Response, attempts: number): RedirectError {
  const { from, to, status } = redirectTarget(response, req.url);
  const what = `${req.operation} (${req.method} ${req.path})`;
  return new RedirectError(
    `The server at ${from} answered ${what} with a redirect (${status === 0 ? 'followed by the fetch implementation' : `HTTP ${status}`}${to === undefined ? '' : ` to ${to}`}). Apple's Business API and token endpoint never redirect, so abmkit follows none: a redirect would carry the access token or the client assertion to another host. Point the API account's baseUrl / tokenUrl at a server that answers directly.`,
    {
      operation: req.operation,
      method: req.method,
      path: req.path,
      attempts: Math.max(1, attempts),
      status,
      location: to,
    },
  );
}
