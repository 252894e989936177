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
import type { MachineInfoInvalidError, MachineInfoUntrustedError } from './enrollment-errors.js';
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
  RedirectError,
  ResponseTooLargeError,
  ResponseValidationError,
  TimeoutError,
} from './transport-errors.js';

/** The error class behind each code, so that `switch (err.code)` narrows to the right class. */
export interface AbmErrorClassByCode {
  /** `INVALID_ARGUMENT` is thrown as {@link InvalidArgumentError}. */
  INVALID_ARGUMENT: InvalidArgumentError;
  /** `CONFIGURATION_INVALID` is thrown as {@link ConfigurationError}. */
  CONFIGURATION_INVALID: ConfigurationError;
  /** `TOKEN_FORMAT_INVALID` is thrown as {@link TokenFormatError}. */
  TOKEN_FORMAT_INVALID: TokenFormatError;
  /** `TOKEN_DECRYPT_FAILED` is thrown as {@link TokenDecryptError}. */
  TOKEN_DECRYPT_FAILED: TokenDecryptError;
  /** `TOKEN_PAYLOAD_INVALID` is thrown as {@link TokenPayloadError}. */
  TOKEN_PAYLOAD_INVALID: TokenPayloadError;
  /** `PRIVATE_KEY_INVALID` is thrown as {@link PrivateKeyError}. */
  PRIVATE_KEY_INVALID: PrivateKeyError;
  /** `CERTIFICATE_INVALID` is thrown as {@link CertificateError}. */
  CERTIFICATE_INVALID: CertificateError;
  /** `TERMS_NOT_SIGNED` is thrown as {@link TermsNotSignedError}. */
  TERMS_NOT_SIGNED: TermsNotSignedError;
  /** `ACCESS_DENIED` is thrown as {@link AccessDeniedError}. */
  ACCESS_DENIED: AccessDeniedError;
  /** `TOKEN_REJECTED` is thrown as {@link TokenRejectedError}. */
  TOKEN_REJECTED: TokenRejectedError;
  /** `TOKEN_EXPIRED` is thrown as {@link TokenExpiredError}. */
  TOKEN_EXPIRED: TokenExpiredError;
  /** `AUTH_FAILED` is thrown as {@link AuthenticationError}. */
  AUTH_FAILED: AuthenticationError;
  /** `API_ERROR` is thrown as {@link AbmApiError}. */
  API_ERROR: AbmApiError;
  /** `NOT_FOUND` is thrown as {@link NotFoundError}. */
  NOT_FOUND: NotFoundError;
  /** `RATE_LIMITED` is thrown as {@link RateLimitError}. */
  RATE_LIMITED: RateLimitError;
  /** `SERVER_ERROR` is thrown as {@link ServerError}. */
  SERVER_ERROR: ServerError;
  /** `CONNECTION_FAILED` is thrown as {@link ConnectionError}. */
  CONNECTION_FAILED: ConnectionError;
  /** `TIMEOUT` is thrown as {@link TimeoutError}. */
  TIMEOUT: TimeoutError;
  /** `ABORTED` is thrown as {@link AbortError}. */
  ABORTED: AbortError;
  /** `RESPONSE_INVALID` is thrown as {@link ResponseValidationError}. */
  RESPONSE_INVALID: ResponseValidationError;
  /** `REDIRECT_REFUSED` is thrown as {@link RedirectError}. */
  REDIRECT_REFUSED: RedirectError;
  /** `RESPONSE_TOO_LARGE` is thrown as {@link ResponseTooLargeError}. */
  RESPONSE_TOO_LARGE: ResponseTooLargeError;
  /** `CURSOR_EXPIRED` is thrown as {@link CursorExpiredError}. */
  CURSOR_EXPIRED: CursorExpiredError;
  /** `CURSOR_INVALID` is thrown as {@link CursorInvalidError}. */
  CURSOR_INVALID: CursorInvalidError;
  /** `CURSOR_EXHAUSTED` is thrown as {@link CursorExhaustedError}. */
  CURSOR_EXHAUSTED: CursorExhaustedError;
  /** `CURSOR_REQUIRED` is thrown as {@link CursorRequiredError}. */
  CURSOR_REQUIRED: CursorRequiredError;
  /** `PROFILE_INVALID` is thrown as {@link ProfileValidationError}. */
  PROFILE_INVALID: ProfileValidationError;
  /** `POLICY_INVALID` is thrown as {@link PolicyValidationError}. */
  POLICY_INVALID: PolicyValidationError;
  /** `CSV_INVALID` is thrown as {@link CsvError}. */
  CSV_INVALID: CsvError;
  /** `STORAGE_ERROR` is thrown as {@link StorageError}. */
  STORAGE_ERROR: StorageError;
  /** `LEASE_LOST` is thrown as {@link LeaseLostError}. */
  LEASE_LOST: LeaseLostError;
  /** `CURSOR_CONFLICT` is thrown as {@link CursorConflictError}. */
  CURSOR_CONFLICT: CursorConflictError;
  /** `SECRET_KEY_REQUIRED` is thrown as {@link SecretKeyRequiredError}. */
  SECRET_KEY_REQUIRED: SecretKeyRequiredError;
  /** `SECRET_DECRYPT_FAILED` is thrown as {@link SecretDecryptError}. */
  SECRET_DECRYPT_FAILED: SecretDecryptError;
  /** `DRIVER_MISSING` is thrown as {@link DriverMissingError}. */
  DRIVER_MISSING: DriverMissingError;
  /** `TOKEN_NOT_FOUND` is thrown as {@link TokenNotFoundError}. */
  TOKEN_NOT_FOUND: TokenNotFoundError;
  /** `TOKEN_MISMATCH` is thrown as {@link TokenMismatchError}. */
  TOKEN_MISMATCH: TokenMismatchError;
  /** `MACHINE_INFO_INVALID` is thrown as {@link MachineInfoInvalidError}. */
  MACHINE_INFO_INVALID: MachineInfoInvalidError;
  /** `MACHINE_INFO_UNTRUSTED` is thrown as {@link MachineInfoUntrustedError}. */
  MACHINE_INFO_UNTRUSTED: MachineInfoUntrustedError;
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
