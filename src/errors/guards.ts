import { ABM_ERROR_BRAND, AbmError } from './abm-error.js';
import type {
  AbmApiError,
  AccessDeniedError,
  AuthenticationError,
  ConfigurationError,
  CursorExhaustedError,
  CursorExpiredError,
  CursorInvalidError,
  CursorRequiredError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TermsNotSignedError,
  TokenExpiredError,
  TokenRejectedError,
} from './api-errors.js';
import type { AbmErrorCode } from './codes.js';
import type {
  CsvError,
  InvalidArgumentError,
  PolicyValidationError,
  ProfileValidationError,
} from './input-errors.js';
import type {
  CursorConflictError,
  DriverMissingError,
  LeaseLostError,
  SecretDecryptError,
  SecretKeyRequiredError,
  StorageError,
  TokenMismatchError,
  TokenNotFoundError,
} from './storage-errors.js';
import type {
  CertificateError,
  PrivateKeyError,
  TokenDecryptError,
  TokenFormatError,
  TokenPayloadError,
} from './token-errors.js';
import type {
  AbortError,
  ConnectionError,
  ResponseValidationError,
  TimeoutError,
} from './transport-errors.js';

/** The error class behind each code, so that `switch (err.code)` narrows to the right class. */
export interface AbmErrorClassByCode {
  INVALID_ARGUMENT: InvalidArgumentError;
  CONFIGURATION_INVALID: ConfigurationError;
  TOKEN_FORMAT_INVALID: TokenFormatError;
  TOKEN_DECRYPT_FAILED: TokenDecryptError;
  TOKEN_PAYLOAD_INVALID: TokenPayloadError;
  PRIVATE_KEY_INVALID: PrivateKeyError;
  CERTIFICATE_INVALID: CertificateError;
  TERMS_NOT_SIGNED: TermsNotSignedError;
  ACCESS_DENIED: AccessDeniedError;
  TOKEN_REJECTED: TokenRejectedError;
  TOKEN_EXPIRED: TokenExpiredError;
  AUTH_FAILED: AuthenticationError;
  API_ERROR: AbmApiError;
  NOT_FOUND: NotFoundError;
  RATE_LIMITED: RateLimitError;
  SERVER_ERROR: ServerError;
  CONNECTION_FAILED: ConnectionError;
  TIMEOUT: TimeoutError;
  ABORTED: AbortError;
  RESPONSE_INVALID: ResponseValidationError;
  CURSOR_EXPIRED: CursorExpiredError;
  CURSOR_INVALID: CursorInvalidError;
  CURSOR_EXHAUSTED: CursorExhaustedError;
  CURSOR_REQUIRED: CursorRequiredError;
  PROFILE_INVALID: ProfileValidationError;
  POLICY_INVALID: PolicyValidationError;
  CSV_INVALID: CsvError;
  STORAGE_ERROR: StorageError;
  LEASE_LOST: LeaseLostError;
  CURSOR_CONFLICT: CursorConflictError;
  SECRET_KEY_REQUIRED: SecretKeyRequiredError;
  SECRET_DECRYPT_FAILED: SecretDecryptError;
  DRIVER_MISSING: DriverMissingError;
  TOKEN_NOT_FOUND: TokenNotFoundError;
  TOKEN_MISMATCH: TokenMismatchError;
}

/** The error for one code: its class, with `code` narrowed to that literal. */
export type AbmErrorOf<C extends AbmErrorCode> = AbmErrorClassByCode[C] & { readonly code: C };

/** Any abmkit error, as a union discriminated by `code`. */
export type AnyAbmError = { [C in AbmErrorCode]: AbmErrorOf<C> }[AbmErrorCode];

/**
 * Whether `error` is an abmkit error (optionally with a given code). Works across duplicate
 * copies of the package: it checks `instanceof` first, then the global brand.
 *
 * @example
 * ```ts
 * try { await client.getAccount(); }
 * catch (err) {
 *   if (isAbmError(err, 'TERMS_NOT_SIGNED')) notifyAdmin(err.message);
 *   else if (isAbmError(err)) switch (err.code) { case 'TOKEN_EXPIRED': ... }
 * }
 * ```
 */
export function isAbmError(error: unknown): error is AnyAbmError;
export function isAbmError<C extends AbmErrorCode>(error: unknown, code: C): error is AbmErrorOf<C>;
export function isAbmError(error: unknown, code?: AbmErrorCode): boolean {
  const branded =
    error instanceof AbmError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { [ABM_ERROR_BRAND]?: unknown })[ABM_ERROR_BRAND] === true &&
      typeof (error as { code?: unknown }).code === 'string');
  return branded && (code === undefined || (error as { code: string }).code === code);
}

const API_CODES: ReadonlySet<string> = new Set([
  'API_ERROR',
  'NOT_FOUND',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'CONFIGURATION_INVALID',
  'TERMS_NOT_SIGNED',
  'ACCESS_DENIED',
  'TOKEN_REJECTED',
  'TOKEN_EXPIRED',
  'AUTH_FAILED',
  'CURSOR_EXPIRED',
  'CURSOR_INVALID',
  'CURSOR_EXHAUSTED',
  'CURSOR_REQUIRED',
]);

/** Whether `error` is an {@link AbmApiError} (Apple answered with an error status). Works across package copies. */
export function isApiError(error: unknown): error is AbmApiError {
  return isAbmError(error) && API_CODES.has(error.code) && 'status' in error;
}

const TOKEN_HEALTH_CODES: ReadonlySet<string> = new Set([
  'TERMS_NOT_SIGNED',
  'ACCESS_DENIED',
  'TOKEN_REJECTED',
  'TOKEN_EXPIRED',
]);

/**
 * Whether `error` means the token itself needs an admin's attention (terms not signed, access
 * denied, rejected or expired). Such errors are never retried.
 */
export function isTokenHealthError(
  error: unknown,
): error is TermsNotSignedError | AccessDeniedError | TokenRejectedError | TokenExpiredError {
  return isAbmError(error) && TOKEN_HEALTH_CODES.has(error.code);
}
