import { oauth1Header } from '../auth/oauth1.js';
import { type SessionCache, sessionCacheKey } from '../auth/session-cache.js';
import { SessionManager } from '../auth/session-manager.js';
import type { ServerToken } from '../crypto/server-token.js';
import {
  RedirectError,
  ResponseTooLargeError,
  ResponseValidationError,
  TokenExpiredError,
} from '../errors/index.js';
import type { AbmLogger } from '../internal/logger.js';
import { BodyTooLarge, readCapped, readTruncated } from '../internal/read-body.js';
import { REDACTED } from '../internal/redact.js';
import { isRedirect, redirectTarget } from '../internal/redirect.js';
import { lazy } from '../internal/zod.js';
import { defineOperation, type Operation } from '../resources/operation.js';
import { anySignal, raceSignal } from './abort.js';
import { hasTokenHealthString } from './apple-codes.js';
import { kyRetryOptions } from './ky-retry.js';
import { isHTTPError, loadKy } from './load-ky.js';
import { type CallSignals, type FailureContext, mapFailure, mapHttpError } from './map-error.js';
import { type RequestOptions, type ResolvedRetry, resolveDurationMs } from './options.js';

/** Everything the transport needs, resolved from `AbmClientOptions`. @internal */
export interface TransportConfig {
  token: ServerToken;
  baseUrl: string;
  userAgent: string;
  protocolVersion: number;
  fetch: typeof globalThis.fetch | undefined;
  timeoutMs: number;
  deadlineMs: number;
  /** Cap on one response body, in bytes (see `AbmClientOptions.maxResponseBytes`). */
  maxResponseBytes: number;
  retry: ResolvedRetry;
  logger: AbmLogger;
  signal: AbortSignal | undefined;
  sessionCache: SessionCache;
}

/** What to send besides the operation's method and path. @internal */
export interface SendInput {
  /** JSON request body. */
  json?: unknown;
  /** Query parameters. */
  searchParams?: Record<string, string>;
}

/** `GET /session`: OAuth1-signed login that returns the session token. @internal */
export const sessionOperation: Operation<{ auth_session_token: string }> = defineOperation({
  name: 'login',
  method: 'GET',
  path: '/session',
  retrySafe: true,
  auth: 'oauth',
  response: lazy((z) => z.looseObject({ auth_session_token: z.string().min(1) })),
});

const MAX_ERROR_BODY = 64 * 1024;
/** Shorter values are not scrubbed from bodies by value (they would match ordinary text). */
const MIN_SCRUB_LENGTH = 6;

interface CallState {
  attempts: number;
  retries: number;
  reauthed: boolean;
  session: string | undefined;
  sent: string | undefined;
  /** Body of the last successful response, read inside the attempt. */
  text: string | undefined;
}

/**
 * The single HTTP path of {@link AbmClient}: ky with one retry layer, session handling, and error
 * mapping after ky settles.
 * @internal
 */
export class Transport {
  readonly sessions: SessionManager;
  readonly #config: TransportConfig;
  readonly #baseUrl: string;
  readonly #fetch: typeof globalThis.fetch;

  constructor(config: TransportConfig) {
    this.#config = config;
    this.#baseUrl = config.baseUrl.replace(/\/+$/, '');
    // Resolve globalThis.fetch per call when none is given: a reference captured earlier would
    // bypass interceptors installed later (msw, undici mocks).
    this.#fetch = (input, init) => (config.fetch ?? globalThis.fetch)(input, init);
    this.sessions = new SessionManager(
      config.sessionCache,
      sessionCacheKey(config.token),
      () => this.#login(),
      config.logger,
    );
  }

  async #login(): Promise<string> {
    const expiry = this.#config.token.accessTokenExpiry.getTime();
    if (Number.isFinite(expiry) && expiry <= Date.now()) {
      throw new TokenExpiredError(
        `The ADE server token expired on ${new Date(expiry).toISOString()}. Renew it: download a new server token in Apple Business Manager and load it.`,
        { operation: 'login', method: 'GET', path: '/session', attempts: 0 },
      );
    }
    const result = await this.send(sessionOperation);
    return result.auth_session_token;
  }

  /** Sends one operation and returns its validated response. Throws only abmkit errors. */
  async send<T>(op: Operation<T>, input: SendInput = {}, options: RequestOptions = {}): Promise<T> {
    const cfg = this.#config;
    const deadlineMs = resolveDurationMs(
      options.deadlineMs,
      cfg.deadlineMs,
      `${op.name}: deadlineMs`,
    );
    const deadline = AbortSignal.timeout(deadlineMs);
    const signals: CallSignals = {
      caller: options.signal,
      client: cfg.signal,
      deadline,
      deadlineMs,
      timeoutMs: cfg.timeoutMs,
    };
    const signal = anySignal([options.signal, cfg.signal, deadline]) ?? deadline;
    const state: CallState = {
      attempts: 0,
      retries: 0,
      reauthed: false,
      session: undefined,
      sent: undefined,
      text: undefined,
    };
    const ctx = (): FailureContext => ({
      operation: op.name,
      method: op.method,
      path: op.path,
      attempts: Math.max(1, state.attempts),
      isSession: op.auth === 'oauth',
    });
    const query = input.searchParams
      ? `?${new URLSearchParams(input.searchParams).toString()}`
      : '';
    const url = `${this.#baseUrl}${op.path}${query}`;
    try {
      if (signal.aborted) throw signal.reason;
      const { default: ky } = await loadKy();
      if (op.auth === 'session') {
        state.session = await raceSignal(this.sessions.get(), signal, () => signal.reason);
      }
      for (;;) {
        let response: Response;
        try {
          response = await this.#attempt(ky, op, url, input, state, signal);
        } catch (error) {
          if (!isHTTPError(error)) throw error;
          const status = error.response.status;
          // Read inside the attempt (bounded in size and time, see #attempt); in memory now.
          const body = this.#scrub(await error.response.text(), state);
          // Re-login and replay once, after ky has settled (never from a ky hook: ky 1.14 would
          // run a hook's error through its retry logic, and an afterResponse hook makes ky clone
          // every response body).
          if (
            op.auth === 'session' &&
            !state.reauthed &&
            (status === 401 || (status === 403 && body.includes('FORBIDDEN'))) &&
            !hasTokenHealthString(body)
          ) {
            state.reauthed = true;
            cfg.logger.info(
              { event: 'session.rejected', operation: op.name, status },
              'abmkit: ADE session rejected; logging in again and replaying once',
            );
            state.session = await raceSignal(
              this.sessions.refresh(state.sent),
              signal,
              () => signal.reason,
            );
            continue;
          }
          const requestId =
            error.response.headers.get('x-request-id') ??
            error.response.headers.get('x-apple-request-uuid') ??
            undefined;
          throw mapHttpError(status, body, ctx(), requestId);
        }
        const text = state.text ?? (await response.text());
        state.text = undefined;
        return this.#parse(op, text, ctx());
      }
    } catch (error) {
      throw mapFailure(error, ctx(), signals);
    }
  }

  /** One ky call (with its retries). Rotated sessions are adopted as responses arrive. */
  #attempt<T>(
    ky: typeof import('ky').default,
    op: Operation<T>,
    url: string,
    input: SendInput,
    state: CallState,
    signal: AbortSignal,
  ): Promise<Response> {
    const cfg = this.#config;
    const body = input.json === undefined ? undefined : JSON.stringify(input.json);
    return ky(url, {
      method: op.method,
      headers: {
        'user-agent': cfg.userAgent,
        'x-server-protocol-version': String(cfg.protocolVersion),
        'content-type': 'application/json;charset=UTF8',
        accept: 'application/json',
      },
      // No body for ky: its Request would carry it as a stream that ky tees (clone) before every
      // attempt and cancels afterwards. The fetch below sends the string itself on each attempt,
      // which also keeps undici on its fast fixed-length path (measured in bench/client-fetch.ts).
      timeout: cfg.timeoutMs,
      signal,
      fetch: async (request, init) => {
        const attemptSignal =
          request instanceof Request ? request.signal : (init?.signal ?? undefined);
        const response = await (request instanceof Request
          ? this.#fetch(request.url, {
              ...init,
              method: request.method,
              headers: request.headers,
              signal: request.signal,
              // Apple's endpoints never redirect; a redirect followed would carry the session
              // header and the body to whatever host the Location names.
              redirect: 'manual',
              ...(body === undefined ? {} : { body }),
            })
          : this.#fetch(request, {
              ...init,
              redirect: 'manual',
              ...(body === undefined ? {} : { body }),
            }));
        cfg.logger.debug(
          {
            event: 'request.done',
            operation: op.name,
            method: op.method,
            path: op.path,
            status: response.status,
            attempt: state.attempts,
          },
          'abmkit: ADE response',
        );
        if (isRedirect(response)) {
          response.body?.cancel().catch(() => {});
          throw redirectError(op, url, response, state.attempts);
        }
        const rotated = op.auth === 'session' ? response.headers.get('x-adm-auth-session') : null;
        if (rotated && rotated !== state.sent) {
          state.session = rotated;
          await this.sessions.adopt(rotated);
        }
        // Every body is read here, inside the attempt: the per-attempt timeout, the deadline, a
        // caller abort and the manager's stop() all interrupt a body that trickles, and a
        // connection that breaks mid-body is a failed attempt ky can retry (safe operations
        // only: retryDecision). Error bodies are kept to 64 KiB, success bodies to
        // maxResponseBytes.
        if (!response.ok) {
          const text = await readTruncated(response, MAX_ERROR_BODY, attemptSignal);
          return new Response(text, {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
          });
        }
        try {
          state.text = await readCapped(response, cfg.maxResponseBytes, attemptSignal);
        } catch (error) {
          if (error instanceof BodyTooLarge) throw tooLargeError(op, url, error, state.attempts);
          throw error;
        }
        // The body is in `state.text`; ky only looks at the status of what it is handed.
        return response;
      },
      // The re-login replay is a second ky call, so the budget is shared through `state.retries`.
      retry: kyRetryOptions(cfg.retry, op.retrySafe, ['get', 'post', 'put', 'delete'], state),
      hooks: {
        beforeRequest: [
          async (request) => {
            state.attempts++;
            if (op.auth === 'oauth') {
              const t = cfg.token;
              request.headers.set(
                'authorization',
                oauth1Header({
                  method: op.method,
                  url: request.url,
                  consumerKey: t.consumerKey,
                  consumerSecret: t.consumerSecret,
                  accessToken: t.accessToken,
                  accessSecret: t.accessSecret,
                }),
              );
            } else {
              const current = (await this.sessions.current()) ?? state.session ?? '';
              state.session = current;
              state.sent = current;
              request.headers.set('x-adm-auth-session', current);
            }
          },
        ],
        beforeRetry: [
          ({ error, retryCount }) => {
            cfg.logger.debug(
              {
                event: 'request.retry',
                operation: op.name,
                retry: retryCount,
                reason: isHTTPError(error) ? `HTTP ${error.response.status}` : error.name,
              },
              'abmkit: retrying ADE request',
            );
          },
        ],
      },
    });
  }

  /**
   * Removes the values of this call's session and of the token's secrets from an error body
   * before anything keeps it: an echo in free text (`Session 3fa9… is not valid`) matches no
   * redaction pattern, since session tokens are opaque.
   */
  #scrub(body: string, state: CallState): string {
    const t = this.#config.token;
    let out = body;
    for (const secret of [
      state.sent,
      state.session,
      t.consumerSecret,
      t.accessToken,
      t.accessSecret,
    ]) {
      if (secret !== undefined && secret.length >= MIN_SCRUB_LENGTH && out.includes(secret)) {
        out = out.split(secret).join(REDACTED);
      }
    }
    return out;
  }

  #parse<T>(op: Operation<T>, text: string, ctx: FailureContext): T {
    const base = {
      operation: ctx.operation,
      method: ctx.method,
      path: ctx.path,
      attempts: ctx.attempts,
    };
    let data: unknown;
    // Not `text.trim()`: that copies the whole (up to ~1 MB) body just to test for emptiness.
    if (/\S/.test(text)) {
      try {
        data = JSON.parse(text);
      } catch {
        throw new ResponseValidationError(
          `Apple's answer to ${op.name} (${op.method} ${op.path}) is not valid JSON (${text.length} characters). It may have been cut off; try again.`,
          base,
        );
      }
    }
    if (op.accepts?.(data)) return data;
    const result = op.response.safeParse(data);
    if (!result.success) {
      const issues = result.error.issues.slice(0, 20).map((issue) => ({
        path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: issue.message,
      }));
      throw new ResponseValidationError(
        `Apple's answer to ${op.name} (${op.method} ${op.path}) does not have the documented shape: ${issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')}.`,
        { ...base, issues },
      );
    }
    return result.data;
  }
}

function redirectError(
  op: Operation<unknown>,
  url: string,
  response: Response,
  attempts: number,
): RedirectError {
  const { from, to, status } = redirectTarget(response, url);
  const what = `${op.name} (${op.method} ${op.path})`;
  return new RedirectError(
    `The server at ${from} answered ${what} with a redirect (${status === 0 ? 'followed by the fetch implementation' : `HTTP ${status}`}${to === undefined ? '' : ` to ${to}`}). Apple's ADE service never redirects, so abmkit follows none: a redirect would carry the session and the request to another host. Point baseUrl at a server that answers directly.`,
    {
      operation: op.name,
      method: op.method,
      path: op.path,
      attempts: Math.max(1, attempts),
      status,
      location: to,
    },
  );
}

function tooLargeError(
  op: Operation<unknown>,
  url: string,
  error: BodyTooLarge,
  attempts: number,
): ResponseTooLargeError {
  const what = `${op.name} (${op.method} ${op.path})`;
  return new ResponseTooLargeError(
    `The server at ${new URL(url).origin} ${error.announced ? 'announced' : 'sent'} a response to ${what} larger than maxResponseBytes (${error.limitBytes} bytes); abmkit stopped reading it. Apple's answers are far smaller: check baseUrl, or raise maxResponseBytes if this answer is legitimate.`,
    {
      operation: op.name,
      method: op.method,
      path: op.path,
      attempts: Math.max(1, attempts),
      limitBytes: error.limitBytes,
    },
  );
}
