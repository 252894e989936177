export {
  AbmError,
  type AbmErrorOptions,
  type PartialSerialResult,
} from './abm-error.js';
export {
  AbmApiError,
  type AbmApiErrorOptions,
  AccessDeniedError,
  AuthenticationError,
  ConfigurationError,
  CursorExhaustedError,
  CursorExpiredError,
  CursorInvalidError,
  CursorRequiredError,
  NotFoundError,
  RateLimitError,
  type RequestContext,
  ServerError,
  TermsNotSignedError,
  TokenExpiredError,
  TokenRejectedError,
} from './api-errors.js';
export { ABM_ERROR_CODES, type AbmApiErrorCode, type AbmErrorCode } from './codes.js';
export { MachineInfoInvalidError, MachineInfoUntrustedError } from './enrollment-errors.js';
export {
  type AbmErrorClassByCode,
  type AbmErrorOf,
  type AnyAbmError,
  isAbmError,
  isApiError,
  isTokenHealthError,
} from './guards.js';
export {
  CsvError,
  InvalidArgumentError,
  PolicyValidationError,
  ProfileValidationError,
  type ValidationErrorOptions,
  type ValidationIssue,
} from './input-errors.js';
export {
  CursorConflictError,
  DriverMissingError,
  LeaseLostError,
  SecretDecryptError,
  SecretKeyRequiredError,
  StorageError,
  TokenMismatchError,
  TokenNotFoundError,
} from './storage-errors.js';
export {
  CertificateError,
  PrivateKeyError,
  TokenDecryptError,
  TokenFormatError,
  TokenPayloadError,
} from './token-errors.js';
export {
  AbortError,
  ConnectionError,
  RedirectError,
  ResponseTooLargeError,
  ResponseValidationError,
  TimeoutError,
  type TransportErrorOptions,
} from './transport-errors.js';
