import type { KeyObject } from 'node:crypto';
import { InvalidArgumentError } from '../errors/index.js';
import { signCms } from './sign-cms.js';

/** Options of {@link signEnrollmentProfile}. */
export interface SignProfileOptions {
  /** The signing certificate (PEM), e.g. your TLS server or SCEP CA certificate. */
  certificatePem: string;
  /** Its private key (PEM or a `KeyObject`). Never logged or included in errors. */
  privateKeyPem: string | KeyObject;
  /** Intermediate certificates to include (PEM). */
  chainPem?: readonly string[] | undefined;
  /** @default 'sha256' */
  digest?: 'sha256' | 'sha384' | 'sha512' | undefined;
}

/**
 * Signs a profile as CMS SignedData (DER, content attached, signed attributes, RSA or ECDSA), the
 * format `openssl cms -verify` and Apple devices accept. Serve the result with
 * `Content-Type: application/x-apple-aspen-config`.
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) when the certificate or key cannot be read or do not match.
 */
export function signEnrollmentProfile(
  profile: Uint8Array | string,
  options: SignProfileOptions,
): Uint8Array {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(
      'signEnrollmentProfile needs { certificatePem, privateKeyPem }.',
    );
  }
  const bytes =
    typeof profile === 'string' ? new Uint8Array(Buffer.from(profile, 'utf8')) : profile;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) {
    throw new InvalidArgumentError('The profile to sign must be non-empty bytes or text.');
  }
  return signCms(bytes, {
    certificatePem: options.certificatePem,
    privateKeyPem: options.privateKeyPem,
    chainPem: options.chainPem,
    digest: options.digest ?? 'sha256',
  });
}
