import type { KeyObject } from 'node:crypto';
import { PrivateKeyError } from '../../errors/index.js';
import { MAX_PRIVATE_KEY_SIZE } from './limits.js';
import { parsePrivateKeyBlock } from './pem.js';

const WHAT =
  'Pass the RSA private key PEM of the key pair whose certificate was uploaded to ABM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----).';

/**
 * Loads an unencrypted RSA private key from PKCS#1 or PKCS#8 PEM. Never echoes the input.
 * @internal
 */
export function loadPrivateKey(pem: unknown): KeyObject {
  // A key read with fs.readFile() without an encoding arrives as bytes: same PEM text.
  if (pem instanceof Uint8Array && pem.byteLength <= MAX_PRIVATE_KEY_SIZE) {
    pem = Buffer.from(pem.buffer, pem.byteOffset, pem.byteLength).toString('utf8');
  }
  if (typeof pem !== 'string' || pem.trim().length === 0) {
    throw new PrivateKeyError(`The private key must be a non-empty PEM string. ${WHAT}`);
  }
  if (pem.length > MAX_PRIVATE_KEY_SIZE) {
    throw new PrivateKeyError(`The private key is too large to be an RSA key PEM. ${WHAT}`);
  }
  if (
    /-----BEGIN (X509 |TRUSTED )?CERTIFICATE-----/.test(pem) &&
    !pem.includes('PRIVATE KEY-----')
  ) {
    throw new PrivateKeyError(
      `This is a certificate, not a private key: the certificate is what you uploaded to ABM. ${WHAT}`,
    );
  }
  if (
    pem.includes('-----BEGIN PUBLIC KEY-----') ||
    pem.includes('-----BEGIN RSA PUBLIC KEY-----')
  ) {
    throw new PrivateKeyError(`This is a public key, not a private key. ${WHAT}`);
  }
  if (pem.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    throw new PrivateKeyError(
      `The private key is passphrase-protected; decrypt it first (e.g. openssl pkey -in key.pem -out plain.pem). ${WHAT}`,
    );
  }
  const match = /-----BEGIN (RSA )?PRIVATE KEY-----([\s\S]*?)-----END \1?PRIVATE KEY-----/.exec(
    pem,
  );
  if (match === null) throw new PrivateKeyError(`No private key PEM block found. ${WHAT}`);
  const key = parsePrivateKeyBlock(`${match[1] ?? ''}PRIVATE KEY`, match[2] ?? '', WHAT);
  if (key.asymmetricKeyType !== 'rsa') {
    throw new PrivateKeyError(`The private key is not an RSA key. ${WHAT}`);
  }
  return key;
}
