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
 * What a serial-list call (for example `disownDevices` or `assignProfile`) had already achieved
 * when one of its chunks of 1000 serials failed. Found on the thrown error as
 * {@link AbmError.partialResult}.
 */
export interface PartialSerialResult {
  /**
   * The merged per-serial answers of the chunks that succeeded: exactly what the successful return
   * value's `devices` would have held for them.
   */
  devices: Readonly<Record<string, unknown>>;
  /**
   * Every serial whose outcome is unknown: it was in a failed chunk, or it was never sent because
   * the call stopped at the first failure. Safe to send again once the cause is fixed.
   */
  pending: readonly string[];
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
  /**
   * Set only when a serial-list call failed after at least one of its chunks succeeded: what was
   * already done (`devices`) and what is still unknown (`pending`). Absent otherwise.
   */
  declare readonly partialResult?: PartialSerialResult;

  constructor(code: AbmErrorCode, message: string, options: AbmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AbmError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, ABM_ERROR_BRAND, { value: true, enumerable: false });
  }

  /** A plain, secret-free representation for structured logs. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    const partial = this.partialResult;
    if (partial !== undefined) {
      json['partialResult'] = {
        answered: Object.keys(partial.devices).length,
        pending: partial.pending.length,
      };
    }
    return json;
  }
}

/**
 * Attaches a {@link PartialSerialResult} to an error (non-enumerable, read-only) and adds one short
 * sentence to its message.
 * @internal
 */
export function attachPartialResult(error: AbmError, partial: PartialSerialResult): void {
  const answered = Object.keys(partial.devices).length;
  const value: PartialSerialResult = Object.freeze({
    devices: Object.freeze({ ...partial.devices }),
    pending: Object.freeze([...partial.pending]),
  });
  Object.defineProperty(error, 'partialResult', {
    value,
    enumerable: false,
    writable: false,
    configurable: true,
  });
  error.message = `${error.message} ${answered} serial${answered === 1 ? ' was' : 's were'} answered before the failure; see err.partialResult.`;
}
