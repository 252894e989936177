/**
 * Every stable error code abmkit throws. Codes never change meaning between versions;
 * branch on them (or use {@link isAbmError}) rather than on messages.
 */
export const ABM_ERROR_CODES = [
  // Input and configuration
  'INVALID_ARGUMENT',
  'CONFIGURATION_INVALID',
  // Server-token crypto
  'TOKEN_FORMAT_INVALID',
  'TOKEN_DECRYPT_FAILED',
  'TOKEN_PAYLOAD_INVALID',
  'PRIVATE_KEY_INVALID',
  'CERTIFICATE_INVALID',
  // Token health, reported by Apple or checked locally
  'TERMS_NOT_SIGNED',
  'ACCESS_DENIED',
  'TOKEN_REJECTED',
  'TOKEN_EXPIRED',
  'AUTH_FAILED',
  // HTTP / API
  'API_ERROR',
  'NOT_FOUND',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'CONNECTION_FAILED',
  'TIMEOUT',
  'ABORTED',
  'RESPONSE_INVALID',
  'REDIRECT_REFUSED',
  'RESPONSE_TOO_LARGE',
  // Cursors
  'CURSOR_EXPIRED',
  'CURSOR_INVALID',
  'CURSOR_EXHAUSTED',
  'CURSOR_REQUIRED',
  // Profiles, policies and CSV input
  'PROFILE_INVALID',
  'POLICY_INVALID',
  'CSV_INVALID',
  // Storage
  'STORAGE_ERROR',
  'LEASE_LOST',
  'CURSOR_CONFLICT',
  'SECRET_KEY_REQUIRED',
  'SECRET_DECRYPT_FAILED',
  'DRIVER_MISSING',
  // Manager
  'TOKEN_NOT_FOUND',
  'TOKEN_MISMATCH',
  // Enrollment endpoint
  'MACHINE_INFO_INVALID',
  'MACHINE_INFO_UNTRUSTED',
] as const;

/** The closed union of error codes. See {@link ABM_ERROR_CODES}. */
export type AbmErrorCode = (typeof ABM_ERROR_CODES)[number];

/** Codes of errors that carry an HTTP request context ({@link AbmApiError} and its subclasses). */
export type AbmApiErrorCode =
  | 'API_ERROR'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR'
  | 'CONFIGURATION_INVALID'
  | 'TERMS_NOT_SIGNED'
  | 'ACCESS_DENIED'
  | 'TOKEN_REJECTED'
  | 'TOKEN_EXPIRED'
  | 'AUTH_FAILED'
  | 'CURSOR_EXPIRED'
  | 'CURSOR_INVALID'
  | 'CURSOR_EXHAUSTED'
  | 'CURSOR_REQUIRED';
