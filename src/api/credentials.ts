import type { KeyObject } from 'node:crypto';
import { parsePrivateKeyBlock } from '../crypto/lib/pem.js';
import { InvalidArgumentError, PrivateKeyError } from '../errors/index.js';

/** Which Apple API an account belongs to, chosen by the client id's prefix. */
export type ApiFlavor = 'business' | 'school';

/** Resolved API-account credentials. The key never leaves this object in any printable form. @internal */
export interface ApiCredentials {
  clientId: string;
  keyId: string;
  key: KeyObject;
  flavor: ApiFlavor;
  /** `business.api` or `school.api`. */
  scope: string;
}

const CLIENT_ID = /^(BUSINESSAPI|SCHOOLAPI)\.[0-9A-Za-z-]{8,64}$/;
const KEY_ID = /^[0-9A-Za-z-]{4,128}$/;
const MAX_KEY_PEM = 16 * 1024;
const WHAT =
  'Pass the P-256 private key PEM that Apple Business Manager generated for the API account (-----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----).';

/**
 * Loads the API account's P-256 private key from SEC1 (`EC PRIVATE KEY`) or PKCS#8 PEM.
 * Never echoes the input.
 * @internal
 */
export function loadApiPrivateKey(pem: unknown): KeyObject {
  if (typeof pem !== 'string' || pem.trim() === '') {
    throw new PrivateKeyError(
      `The API account's private key must be a non-empty PEM string. ${WHAT}`,
    );
  }
  if (pem.length > MAX_KEY_PEM) {
    throw new PrivateKeyError(`The private key is too large to be a P-256 key PEM. ${WHAT}`);
  }
  if (pem.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    throw new PrivateKeyError(
      `The private key is passphrase-protected; decrypt it first (openssl pkey -in key.pem -out plain.pem). ${WHAT}`,
    );
  }
  if (/-----BEGIN (EC |RSA )?PUBLIC KEY-----/.test(pem) || /BEGIN CERTIFICATE/.test(pem)) {
    if (!pem.includes('PRIVATE KEY-----')) {
      throw new PrivateKeyError(
        `This is a public key or certificate, not the private key. ${WHAT}`,
      );
    }
  }
  const match = /-----BEGIN ((?:EC |RSA )?PRIVATE KEY)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (match === null) throw new PrivateKeyError(`No private key PEM block found. ${WHAT}`);
  const key = parsePrivateKeyBlock(match[1] ?? '', match[2] ?? '', WHAT);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new PrivateKeyError(
      `The private key is ${key.asymmetricKeyType === 'ec' ? `on curve ${key.asymmetricKeyDetails?.namedCurve}` : `an ${String(key.asymmetricKeyType).toUpperCase()} key`}, not a P-256 EC key. ${WHAT}`,
    );
  }
  return key;
}

/**
 * Checks and resolves an API account's credentials. Throws a typed error naming what is wrong.
 * @internal
 */
export function resolveCredentials(input: {
  clientId: unknown;
  keyId: unknown;
  privateKey: unknown;
}): ApiCredentials {
  const { clientId, keyId } = input;
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId.trim())) {
    throw new InvalidArgumentError(
      'clientId must be the API account\'s client id as shown in Apple Business Manager: "BUSINESSAPI.<uuid>" (Apple Business Manager) or "SCHOOLAPI.<uuid>" (Apple School Manager).',
    );
  }
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId.trim())) {
    throw new InvalidArgumentError(
      'keyId must be the key id shown under the API account in Apple Business Manager (letters, digits and dashes).',
    );
  }
  const key = loadApiPrivateKey(input.privateKey);
  const id = clientId.trim();
  const flavor: ApiFlavor = id.startsWith('SCHOOLAPI.') ? 'school' : 'business';
  return {
    clientId: id,
    keyId: keyId.trim(),
    key,
    flavor,
    scope: flavor === 'school' ? 'school.api' : 'business.api',
  };
}
