import {
  AbmApiError,
  type AbmApiErrorOptions,
  AbortError,
  AccessDeniedError,
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  CursorExhaustedError,
  CursorExpiredError,
  CursorInvalidError,
  CursorRequiredError,
  isAbmError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TermsNotSignedError,
  TimeoutError,
  TokenExpiredError,
  TokenRejectedError,
} from '../errors/index.js';
import { redactString } from '../internal/redact.js';
import { findAppleCode } from './apple-codes.js';

/** Where a failure happened. @internal */
export interface FailureContext {
  operation: string;
  method: string;
  path: string;
  attempts: number;
  /** `GET /session`: its body is never kept. */
  isSession: boolean;
}

const EXCERPT_BYTES = 1024;

/** Trims and redacts a body to at most 1 KiB for {@link AbmApiError.bodyExcerpt}. @internal */
export function bodyExcerpt(body: string): string | undefined {
  const redacted = redactString(body).trim();
  if (redacted === '') return undefined;
  const bytes = Buffer.from(redacted, 'utf8');
  return bytes.length <= EXCERPT_BYTES
    ? redacted
    : `${bytes
        .subarray(0, EXCERPT_BYTES)
        .toString('utf8')
        .replace(/\uFFFD+$/, '')}…`;
}

/**
 * The options every mapped HTTP error carries: where it failed, Apple's code and request id when
 * known, and a redacted excerpt of `keptBody` (`undefined` for bodies never kept: the session
 * and token endpoints). Shared by the ADE client and the Business API client.
 * @internal
 */
export function httpErrorOptions(
  status: number,
  ctx: { operation: string; method: string; path: string; attempts: number },
  appleCode: string | undefined,
  requestId: string | undefined,
  keptBody: string | undefined,
): AbmApiErrorOptions {
  const options: AbmApiErrorOptions = {
    status,
    operation: ctx.operation,
    method: ctx.method,
    path: ctx.path,
    attempts: ctx.attempts,
  };
  if (appleCode !== undefined) options.appleCode = appleCode;
  if (requestId !== undefined) options.requestId = requestId;
  if (keptBody !== undefined) {
    const excerpt = bodyExcerpt(keptBody);
    if (excerpt !== undefined) options.bodyExcerpt = excerpt;
  }
  return options;
}

/**
 * Turns an HTTP error status and body into the right {@link AbmApiError} subclass. Runs only after
 * ky has settled (never inside a hook, where ky 1.14 would retry the mapped error).
 * @internal
 */
export function mapHttpError(
  status: number,
  body: string,
  ctx: FailureContext,
  requestId: string | undefined,
): AbmApiError {
  const appleCode = findAppleCode(body);
  const options = httpErrorOptions(
    status,
    ctx,
    appleCode,
    requestId,
    ctx.isSession ? undefined : body,
  );
  const what = `${ctx.operation} (${ctx.method} ${ctx.path})`;
  const tag = `HTTP ${status}${appleCode ? ` ${appleCode}` : ''}`;

  switch (appleCode) {
    case 'T_C_NOT_SIGNED':
      return new TermsNotSignedError(
        `Apple refused ${what}: the organisation must accept new terms and conditions (${tag}). An administrator must sign in to Apple Business Manager and accept them; abmkit does not retry this.`,
        options,
      );
    case 'ACCESS_DENIED':
      return new AccessDeniedError(
        `Apple denied this server token access to ${what} (${tag}). The token may belong to another MDM server or have been replaced; download a new server token in Apple Business Manager and load it.`,
        options,
      );
    case 'token_rejected':
    case 'signature_invalid':
      return new TokenRejectedError(
        `Apple rejected the server token (${tag}): it was revoked or replaced in Apple Business Manager. Download a new server token for this MDM server and load it.`,
        options,
      );
    case 'token_expired':
      return new TokenExpiredError(
        `The ADE server token has expired (${tag}). Renew it: download a new server token in Apple Business Manager and load it.`,
        options,
      );
    case 'EXPIRED_CURSOR':
      return new CursorExpiredError(
        `The sync cursor is older than 7 days (${tag}). Discard it and run a full fetch; devicePages() does this automatically.`,
        options,
      );
    case 'INVALID_CURSOR':
      return new CursorInvalidError(
        `Apple does not recognise the cursor (${tag}). Discard it and run a full fetch; devicePages() does this automatically.`,
        options,
      );
    case 'EXHAUSTED_CURSOR':
      return new CursorExhaustedError(
        `The fetch cursor is exhausted (${tag}). Continue with syncDevices() using the same cursor; devicePages() does this automatically.`,
        options,
      );
    case 'CURSOR_REQUIRED':
      return new CursorRequiredError(
        `syncDevices() needs a cursor from fetchDevices() (${tag}). Run a full fetch first.`,
        options,
      );
    case 'USER_AGENT_INVALID':
    case 'USER_AGENT_MISSING':
      return new ConfigurationError(
        `Apple rejected the User-Agent (${tag}). Set a distinctive userAgent option such as "MyMdm/1.2".`,
        options,
      );
    default:
      break;
  }
  if (status === 404 || (appleCode?.endsWith('NOT_FOUND') ?? false)) {
    return new NotFoundError(
      `Apple does not know what ${what} asked for (${tag}). Check the profile UUID or serial number.`,
      options,
    );
  }
  if (status === 429) {
    return new RateLimitError(
      `Apple is rate-limiting requests (${tag}); ${ctx.attempts} attempt(s) were made. Wait and try again later, with less concurrency.`,
      options,
    );
  }
  if (status >= 500) {
    return new ServerError(
      `Apple's ADE service failed for ${what} (${tag}) after ${ctx.attempts} attempt(s). Try again later.`,
      options,
    );
  }
  if ((status === 401 || status === 403) && /timestamp/i.test(appleCode ?? '')) {
    return new AuthenticationError(
      `Apple refused the OAuth timestamp of ${what} (${tag}, timestamp_refused): this server's clock is off. Check the server clock (enable NTP time sync) on every replica; the token itself is fine.`,
      options,
    );
  }
  const authish =
    appleCode === undefined || appleCode === 'UNAUTHORIZED' || appleCode === 'FORBIDDEN';
  if ((status === 401 || status === 403) && (authish || ctx.isSession)) {
    return new AuthenticationError(
      ctx.isSession
        ? `Apple refused the OAuth login (${tag}). Check that the server token is the current one for this MDM server; if it keeps failing, download a new token in Apple Business Manager.`
        : `Apple still rejected ${what} after logging in again (${tag}). Check the server token; if it keeps failing, download a new one in Apple Business Manager.`,
      options,
    );
  }
  return new AbmApiError(
    `Apple rejected ${what} (${tag}). Check the request; the error string names the problem.`,
    options,
  );
}

/** A secret-free stand-in for a low-level error, safe to keep as `cause`. */
function safeCause(error: unknown): Error {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
  const inner = e?.cause as { code?: unknown; message?: unknown } | undefined;
  const code =
    typeof e?.code === 'string' ? e.code : typeof inner?.code === 'string' ? inner.code : undefined;
  const out = new Error(redactString(String(e?.message ?? error)));
  out.name = typeof e?.name === 'string' ? e.name : 'Error';
  if (code !== undefined) Object.assign(out, { code });
  out.stack = `${out.name}: ${out.message}`;
  return out;
}

/** Signals of a call, to tell a caller abort from a deadline. @internal */
export interface CallSignals {
  caller: AbortSignal | undefined;
  client: AbortSignal | undefined;
  deadline: AbortSignal;
  deadlineMs: number;
  timeoutMs: number;
}

/**
 * Maps a failure without a usable HTTP response (network, timeout, abort) to an abmkit error.
 * abmkit errors (e.g. a failed re-login) pass through unchanged.
 * @internal
 */
export function mapFailure(error: unknown, ctx: FailureContext, signals: CallSignals): Error {
  if (isAbmError(error)) return error;
  const base = {
    operation: ctx.operation,
    method: ctx.method,
    path: ctx.path,
    attempts: ctx.attempts,
    cause: safeCause(error),
  };
  const what = `${ctx.operation} (${ctx.method} ${ctx.path})`;
  if (signals.caller?.aborted || signals.client?.aborted) {
    return new AbortError(`${what} was aborted by the caller.`, base);
  }
  if (signals.deadline.aborted) {
    return new TimeoutError(
      `${what} did not finish within its ${signals.deadlineMs} ms deadline (${ctx.attempts} attempt(s)). Try again later or raise deadlineMs.`,
      base,
    );
  }
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError') {
    return new TimeoutError(
      `Apple did not answer ${what} within ${signals.timeoutMs} ms (${ctx.attempts} attempt(s)). Try again later or raise timeoutMs.`,
      base,
    );
  }
  if (name === 'AbortError') {
    return new AbortError(`${what} was aborted.`, base);
  }
  return new ConnectionError(
    `Could not reach Apple for ${what} (${ctx.attempts} attempt(s)): ${base.cause.message}. Check network access to the ADE base URL.`,
    base,
  );
}
