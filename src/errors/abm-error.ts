import type { AbmErrorCode } from './codes.js';

/** Global brand so that guards recognise errors from a second copy of abmkit in `node_modules`. */
export const ABM_ERROR_BRAND: symbol = Symbol.for('abmkit.error');

/** Options accepted by every abmkit error constructor. */
export interface AbmErrorOptions {
  /** The underlying error. Never carries secret material. */
  cause?: unknown;
  /** Whether trying the same operation again later may succeed. */
  retryable?: boolean;
}

/**
 * The root of every error abmkit throws. Each error has a stable {@link AbmError.code}
 * and a message that says what to do. Messages never contain secrets.
 *
 * Prefer {@link isAbmError} over `instanceof`: it also recognises errors thrown by another
 * copy of abmkit installed elsewhere in `node_modules`.
 */
export class AbmError extends Error {
  /** Stable, machine-readable code. */
  readonly code: AbmErrorCode;
  /** Whether the same operation may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(code: AbmErrorCode, message: string, options: AbmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AbmError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, ABM_ERROR_BRAND, { value: true, enumerable: false });
  }

  /** A plain, secret-free representation for structured logs. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}
