import { AbmError, type AbmErrorOptions } from './abm-error.js';

/** A storage backend failed (connection, constraint, I/O). */
export class StorageError extends AbmError {
  declare readonly code: 'STORAGE_ERROR';
  constructor(message: string, options: AbmErrorOptions = {}) {
    super('STORAGE_ERROR', message, { retryable: true, ...options });
    this.name = 'StorageError';
  }
}

/** This process no longer holds the token's lease (it expired or another replica took it over). Stop working on the token. */
export class LeaseLostError extends AbmError {
  declare readonly code: 'LEASE_LOST';
  /** The token whose lease was lost. */
  readonly tokenId: string;
  constructor(tokenId: string, message?: string, options: AbmErrorOptions = {}) {
    super(
      'LEASE_LOST',
      message ??
        `The sync lease for token "${tokenId}" is held by another owner or a newer generation; stop and let that owner continue.`,
      options,
    );
    this.name = 'LeaseLostError';
    this.tokenId = tokenId;
  }
}

/** The stored cursor is not the one this writer expected: another writer advanced it first. */
export class CursorConflictError extends AbmError {
  declare readonly code: 'CURSOR_CONFLICT';
  /** The token whose cursor changed underneath. */
  readonly tokenId: string;
  constructor(tokenId: string, message?: string, options: AbmErrorOptions = {}) {
    super(
      'CURSOR_CONFLICT',
      message ??
        `The cursor of token "${tokenId}" was changed by another writer; reload it and retry.`,
      options,
    );
    this.name = 'CursorConflictError';
    this.tokenId = tokenId;
  }
}

/** A secret was about to be stored but the store has no encryption key. */
export class SecretKeyRequiredError extends AbmError {
  declare readonly code: 'SECRET_KEY_REQUIRED';
  constructor(message: string, options: AbmErrorOptions = {}) {
    super('SECRET_KEY_REQUIRED', message, options);
    this.name = 'SecretKeyRequiredError';
  }
}

/** A stored secret could not be decrypted (wrong or missing key, tampered record). */
export class SecretDecryptError extends AbmError {
  declare readonly code: 'SECRET_DECRYPT_FAILED';
  constructor(message: string, options: AbmErrorOptions = {}) {
    super('SECRET_DECRYPT_FAILED', message, options);
    this.name = 'SecretDecryptError';
  }
}

/** An optional driver package (`pg`, `ioredis`, `@opentelemetry/api`) is not installed. */
export class DriverMissingError extends AbmError {
  declare readonly code: 'DRIVER_MISSING';
  /** The npm package to install. */
  readonly packageName: string;
  constructor(packageName: string, options: AbmErrorOptions = {}) {
    super(
      'DRIVER_MISSING',
      `This feature needs the optional package "${packageName}". Install it: npm install ${packageName}`,
      options,
    );
    this.name = 'DriverMissingError';
    this.packageName = packageName;
  }
}

/** No token with this id exists in storage. */
export class TokenNotFoundError extends AbmError {
  declare readonly code: 'TOKEN_NOT_FOUND';
  /** The id looked up. */
  readonly tokenId: string;
  constructor(tokenId: string, options: AbmErrorOptions = {}) {
    super(
      'TOKEN_NOT_FOUND',
      `No ABM token with id "${tokenId}" exists. Create it with createKeyPair() first.`,
      options,
    );
    this.name = 'TokenNotFoundError';
    this.tokenId = tokenId;
  }
}

/** An uploaded server token belongs to a different MDM server (another consumer key) than the stored one. */
export class TokenMismatchError extends AbmError {
  declare readonly code: 'TOKEN_MISMATCH';
  constructor(message: string, options: AbmErrorOptions = {}) {
    super('TOKEN_MISMATCH', message, options);
    this.name = 'TokenMismatchError';
  }
}
