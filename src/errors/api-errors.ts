import { AbmError, type AbmErrorOptions } from './abm-error.js';
import type { AbmApiErrorCode } from './codes.js';

/** Where an API error happened. Never includes headers, bodies with secrets, or session tokens. */
export interface RequestContext {
  /** Operation name, e.g. `assignProfile`. */
  operation?: string;
  /** HTTP method sent. */
  method?: string;
  /** URL path (no query string secrets; ADE puts none there). */
  path?: string;
  /** How many HTTP attempts were made, retries included. */
  attempts?: number;
}

/** Options for {@link AbmApiError}. */
export interface AbmApiErrorOptions extends AbmErrorOptions, RequestContext {
  /** HTTP status, when a response was received. */
  status?: number;
  /** Apple's error string, e.g. `T_C_NOT_SIGNED`, `EXPIRED_CURSOR`. */
  appleCode?: string;
  /** A short, redacted excerpt of the response body (at most 1 KiB). */
  bodyExcerpt?: string;
  /** Apple's request id header, when present. */
  requestId?: string;
}

/**
 * Apple answered with an error status. Subclasses cover the cases that need a specific
 * reaction; this class itself (`code: 'API_ERROR'`) covers the rest.
 */
export class AbmApiError extends AbmError {
  declare readonly code: AbmApiErrorCode;
  /** HTTP status, when a response was received. */
  readonly status: number | undefined;
  /** Apple's error string, e.g. `T_C_NOT_SIGNED`. */
  readonly appleCode: string | undefined;
  /** Operation name, e.g. `assignProfile`. */
  readonly operation: string | undefined;
  /** HTTP method. */
  readonly method: string | undefined;
  /** URL path. */
  readonly path: string | undefined;
  /** HTTP attempts made, retries included. */
  readonly attempts: number;
  /** Redacted excerpt of the response body. */
  readonly bodyExcerpt: string | undefined;
  /** Apple's request id, when present. */
  readonly requestId: string | undefined;

  constructor(
    message: string,
    options: AbmApiErrorOptions = {},
    code: AbmApiErrorCode = 'API_ERROR',
  ) {
    super(code, message, options);
    this.name = 'AbmApiError';
    this.status = options.status;
    this.appleCode = options.appleCode;
    this.operation = options.operation;
    this.method = options.method;
    this.path = options.path;
    this.attempts = options.attempts ?? 1;
    this.bodyExcerpt = options.bodyExcerpt;
    this.requestId = options.requestId;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      appleCode: this.appleCode,
      operation: this.operation,
      method: this.method,
      path: this.path,
      attempts: this.attempts,
    };
  }
}

/** The organisation must accept new terms and conditions in Apple Business Manager (`T_C_NOT_SIGNED`). Not retried. */
export class TermsNotSignedError extends AbmApiError {
  declare readonly code: 'TERMS_NOT_SIGNED';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'TERMS_NOT_SIGNED');
    this.name = 'TermsNotSignedError';
  }
}

/** The token may not perform this operation (`ACCESS_DENIED`); upload a new server token. Not retried. */
export class AccessDeniedError extends AbmApiError {
  declare readonly code: 'ACCESS_DENIED';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'ACCESS_DENIED');
    this.name = 'AccessDeniedError';
  }
}

/** Apple rejected the token (`token_rejected`, `signature_invalid`): it was revoked or replaced in ABM. Upload a new one. */
export class TokenRejectedError extends AbmApiError {
  declare readonly code: 'TOKEN_REJECTED';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'TOKEN_REJECTED');
    this.name = 'TokenRejectedError';
  }
}

/** The server token has expired (`token_expired`, or its expiry date passed). Renew it in ABM. */
export class TokenExpiredError extends AbmApiError {
  declare readonly code: 'TOKEN_EXPIRED';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'TOKEN_EXPIRED');
    this.name = 'TokenExpiredError';
  }
}

/** Authentication still failed after logging in again. */
export class AuthenticationError extends AbmApiError {
  declare readonly code: 'AUTH_FAILED';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'AUTH_FAILED');
    this.name = 'AuthenticationError';
  }
}

/** Apple does not know the resource (e.g. a profile UUID or serial). */
export class NotFoundError extends AbmApiError {
  declare readonly code: 'NOT_FOUND';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'NOT_FOUND');
    this.name = 'NotFoundError';
  }
}

/** Apple asked us to slow down (HTTP 429) and retries ran out. */
export class RateLimitError extends AbmApiError {
  declare readonly code: 'RATE_LIMITED';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: true, ...options }, 'RATE_LIMITED');
    this.name = 'RateLimitError';
  }
}

/** Apple answered 5xx and retries ran out. */
export class ServerError extends AbmApiError {
  declare readonly code: 'SERVER_ERROR';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: true, ...options }, 'SERVER_ERROR');
    this.name = 'ServerError';
  }
}

/** The client is misconfigured for Apple (e.g. `USER_AGENT_INVALID`). */
export class ConfigurationError extends AbmApiError {
  declare readonly code: 'CONFIGURATION_INVALID';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'CONFIGURATION_INVALID');
    this.name = 'ConfigurationError';
  }
}

/** The cursor is older than 7 days (`EXPIRED_CURSOR`); a full fetch is needed. */
export class CursorExpiredError extends AbmApiError {
  declare readonly code: 'CURSOR_EXPIRED';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'CURSOR_EXPIRED');
    this.name = 'CursorExpiredError';
  }
}

/** Apple does not recognise the cursor (`INVALID_CURSOR`); a full fetch is needed. */
export class CursorInvalidError extends AbmApiError {
  declare readonly code: 'CURSOR_INVALID';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'CURSOR_INVALID');
    this.name = 'CursorInvalidError';
  }
}

/** The fetch cursor is exhausted (`EXHAUSTED_CURSOR`): continue with sync. Handled inside the iterators. */
export class CursorExhaustedError extends AbmApiError {
  declare readonly code: 'CURSOR_EXHAUSTED';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'CURSOR_EXHAUSTED');
    this.name = 'CursorExhaustedError';
  }
}

/** Sync was called without a cursor (`CURSOR_REQUIRED`). */
export class CursorRequiredError extends AbmApiError {
  declare readonly code: 'CURSOR_REQUIRED';
  constructor(message: string, options: AbmApiErrorOptions = {}) {
    super(message, { retryable: false, ...options }, 'CURSOR_REQUIRED');
    this.name = 'CursorRequiredError';
  }
}
