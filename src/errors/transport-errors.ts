import { AbmError, type AbmErrorOptions } from './abm-error.js';
import type { RequestContext } from './api-errors.js';

/** Options for errors raised around a request that got no usable response. */
export interface TransportErrorOptions extends AbmErrorOptions, RequestContext {}

abstract class RequestFailure extends AbmError {
  /** Operation name. */
  readonly operation: string | undefined;
  /** HTTP method. */
  readonly method: string | undefined;
  /** URL path. */
  readonly path: string | undefined;
  /** HTTP attempts made. */
  readonly attempts: number;
  constructor(
    code:
      | 'CONNECTION_FAILED'
      | 'TIMEOUT'
      | 'ABORTED'
      | 'RESPONSE_INVALID'
      | 'REDIRECT_REFUSED'
      | 'RESPONSE_TOO_LARGE',
    message: string,
    options: TransportErrorOptions,
  ) {
    super(code, message, options);
    this.operation = options.operation;
    this.method = options.method;
    this.path = options.path;
    this.attempts = options.attempts ?? 1;
  }
}

/** The network failed (DNS, refused, reset) and retries ran out. Check connectivity and firewall rules. */
export class ConnectionError extends RequestFailure {
  declare readonly code: 'CONNECTION_FAILED';
  constructor(message: string, options: TransportErrorOptions = {}) {
    super('CONNECTION_FAILED', message, { retryable: true, ...options });
    this.name = 'ConnectionError';
  }
}

/** A request or the whole call exceeded its time limit. */
export class TimeoutError extends RequestFailure {
  declare readonly code: 'TIMEOUT';
  constructor(message: string, options: TransportErrorOptions = {}) {
    super('TIMEOUT', message, { retryable: true, ...options });
    this.name = 'TimeoutError';
  }
}

/** The caller aborted the operation through its `AbortSignal`. */
export class AbortError extends RequestFailure {
  declare readonly code: 'ABORTED';
  constructor(message: string, options: TransportErrorOptions = {}) {
    super('ABORTED', message, options);
    this.name = 'AbortError';
  }
}

/** Apple answered 2xx, but the body is not what the API documents (malformed JSON, wrong shape). */
export class ResponseValidationError extends RequestFailure {
  declare readonly code: 'RESPONSE_INVALID';
  /** Where the body differed from the schema. */
  readonly issues: { path: (string | number)[]; message: string }[];
  constructor(
    message: string,
    options: TransportErrorOptions & {
      issues?: { path: (string | number)[]; message: string }[];
    } = {},
  ) {
    super('RESPONSE_INVALID', message, { retryable: true, ...options });
    this.name = 'ResponseValidationError';
    this.issues = options.issues ?? [];
  }
}

/**
 * The server answered with a redirect (3xx). Apple's ADE endpoints never redirect, so abmkit
 * follows none: a redirect would carry the session and the request body to another host. Check
 * `baseUrl` (a proxy or simulator must answer directly). `location` is the redirect's target,
 * reduced to its origin.
 */
export class RedirectError extends RequestFailure {
  declare readonly code: 'REDIRECT_REFUSED';
  /** HTTP status of the redirect (301, 302, 303, 307, 308…), or 0 when fetch hid it. */
  readonly status: number;
  /** Origin the server redirected to (no path or query), when it said. */
  readonly location: string | undefined;
  constructor(
    message: string,
    options: TransportErrorOptions & { status?: number; location?: string | undefined } = {},
  ) {
    super('REDIRECT_REFUSED', message, options);
    this.name = 'RedirectError';
    this.status = options.status ?? 0;
    this.location = options.location;
  }
}

/**
 * The server sent a body larger than the client's `maxResponseBytes` (announced in
 * `Content-Length` or counted while streaming). abmkit stopped reading and closed the connection;
 * nothing of the body is kept. Check `baseUrl`, or raise `maxResponseBytes` if the answer is
 * legitimately that large.
 */
export class ResponseTooLargeError extends RequestFailure {
  declare readonly code: 'RESPONSE_TOO_LARGE';
  /** The limit that was exceeded, in bytes. */
  readonly limitBytes: number;
  constructor(message: string, options: TransportErrorOptions & { limitBytes?: number } = {}) {
    super('RESPONSE_TOO_LARGE', message, options);
    this.name = 'ResponseTooLargeError';
    this.limitBytes = options.limitBytes ?? 0;
  }
}
