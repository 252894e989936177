import { AbmError, type AbmErrorOptions } from './abm-error.js';

/** The file is not a server token: not S/MIME, PEM, base64 or CMS EnvelopedData, or too large. */
export class TokenFormatError extends AbmError {
  declare readonly code: 'TOKEN_FORMAT_INVALID';
  constructor(message: string, options: AbmErrorOptions = {}) {
    super('TOKEN_FORMAT_INVALID', message, options);
    this.name = 'TokenFormatError';
  }
}

/**
 * The token could not be decrypted with this private key. Deliberately one generic error
 * for every cryptographic failure (wrong key, bad padding, bad content), so that it reveals
 * nothing about which step failed.
 */
export class TokenDecryptError extends AbmError {
  declare readonly code: 'TOKEN_DECRYPT_FAILED';
  constructor(message: string, options: AbmErrorOptions = {}) {
    super('TOKEN_DECRYPT_FAILED', message, options);
    this.name = 'TokenDecryptError';
  }
}

/** The token decrypted, but its content is not a valid set of ADE OAuth credentials. */
export class TokenPayloadError extends AbmError {
  declare readonly code: 'TOKEN_PAYLOAD_INVALID';
  constructor(message: string, options: AbmErrorOptions = {}) {
    super('TOKEN_PAYLOAD_INVALID', message, options);
    this.name = 'TokenPayloadError';
  }
}

/** The private key is not an RSA private key in PKCS#1 or PKCS#8 PEM. */
export class PrivateKeyError extends AbmError {
  declare readonly code: 'PRIVATE_KEY_INVALID';
  constructor(message: string, options: AbmErrorOptions = {}) {
    super('PRIVATE_KEY_INVALID', message, options);
    this.name = 'PrivateKeyError';
  }
}

/** A certificate is not a parseable X.509 certificate with an RSA public key. */
export class CertificateError extends AbmError {
  declare readonly code: 'CERTIFICATE_INVALID';
  constructor(message: string, options: AbmErrorOptions = {}) {
    super('CERTIFICATE_INVALID', message, options);
    this.name = 'CertificateError';
  }
}
