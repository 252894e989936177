import { isAbmError, TokenDecryptError, TokenFormatError } from '../errors/index.js';
import { createServerToken } from './create-server-token.js';
import { decryptContent, recoverContentKey } from './lib/decrypt-content.js';
import type { parseEnvelopedData as ParseEnvelopedData } from './lib/parse-enveloped-data.js';
import { parsePayload } from './lib/parse-payload.js';
import { loadPrivateKey } from './lib/private-key.js';
import { unwrapTokenFile } from './lib/unwrap-token-file.js';
import type { ServerToken } from './server-token.js';

/** The CMS parser (asn1js), loaded on the first decryption rather than with the package. */
let cms: Promise<typeof import('./lib/parse-enveloped-data.js')> | undefined;

const DECRYPT_FAILED =
  'The server token could not be decrypted with this private key. This token was encrypted for a different key pair: ' +
  'download a new token from Apple Business Manager after uploading the certificate for this key ' +
  '(or pass the private key that belongs to the certificate you uploaded).';

/**
 * Decrypts a server token file downloaded from Apple Business Manager with the MDM's
 * private key, and returns the OAuth credentials in a {@link ServerToken} that never prints
 * its secrets.
 *
 * Accepts the `*_smime.p7m` file as ABM serves it (`application/pkcs7-mime` or
 * `application/x-pkcs7-mime`, LF or CRLF), bare base64, `-----BEGIN PKCS7-----` PEM, or raw
 * DER/BER bytes (up to 64 KiB); private keys in PKCS#1 or PKCS#8 PEM. Supports RSA PKCS#1
 * v1.5 and RSA-OAEP key transport, AES-128/192/256-CBC and DES-EDE3-CBC content. Runs
 * unflagged on Node 20, 22 and 24 (PKCS#1 v1.5 is unpadded in constant shape with implicit
 * rejection; constant time is best effort in JavaScript).
 *
 * @param file - The token file, as text or bytes.
 * @param privateKeyPem - The RSA private key whose certificate was uploaded to ABM: PEM text, or
 *   its bytes as `fs.readFile()` returns them (a `Buffer`).
 * @returns The decrypted credentials.
 * @throws {@link TokenFormatError} (`TOKEN_FORMAT_INVALID`) when the file is not a token,
 *   {@link PrivateKeyError} (`PRIVATE_KEY_INVALID`) when the key is not an RSA private key,
 *   {@link TokenDecryptError} (`TOKEN_DECRYPT_FAILED`) for every cryptographic failure
 *   (typically: wrong key), and {@link TokenPayloadError} (`TOKEN_PAYLOAD_INVALID`) when the
 *   file decrypts but holds no valid credentials.
 */
export async function decryptServerToken(
  file: string | Uint8Array,
  privateKeyPem: string | Uint8Array,
): Promise<ServerToken> {
  try {
    cms ??= import('./lib/parse-enveloped-data.js');
    return decrypt((await cms).parseEnvelopedData, file, privateKeyPem);
  } catch (error) {
    if (isAbmError(error)) throw error;
    // Last-resort guard: a library bug on hostile input must still surface as an AbmError,
    // and without a cause (it could hold parsed bytes).
    throw new TokenFormatError(
      'The file could not be read as a server token. Download the token again from Apple Business Manager and pass the file unchanged.',
    );
  }
}

function decrypt(
  parseEnvelopedData: typeof ParseEnvelopedData,
  file: string | Uint8Array,
  privateKeyPem: string | Uint8Array,
): ServerToken {
  const envelope = parseEnvelopedData(unwrapTokenFile(file));
  const key = loadPrivateKey(privateKeyPem);
  for (const recipient of envelope.recipients) {
    const cek = recoverContentKey(key, recipient, envelope.cipher);
    const plaintext = decryptContent(envelope.cipher, cek, envelope.iv, envelope.ciphertext);
    cek.fill(0);
    if (plaintext === undefined) continue;
    try {
      const result = parsePayload(plaintext);
      if (result.kind === 'token') return createServerToken(result.token);
    } finally {
      plaintext.fill(0);
    }
  }
  throw new TokenDecryptError(DECRYPT_FAILED);
}
