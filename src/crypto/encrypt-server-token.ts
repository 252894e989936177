import { InvalidArgumentError } from '../errors/index.js';
import { contentCipherByName } from './lib/algorithms.js';
import { buildPayload } from './lib/payload.js';
import { eol, wrapBase64 } from './lib/text.js';
import type { ServerTokenInput } from './server-token.js';
import type {
  ContentCipherName,
  KeyTransportName,
  LineEnding,
  OaepHashName,
  TokenFileFormat,
} from './types.js';

/** Options for {@link encryptServerToken}. The defaults reproduce what ABM serves. */
export interface EncryptServerTokenOptions {
  /** Content cipher. Default `aes-128-cbc` (what ABM uses). */
  contentCipher?: ContentCipherName;
  /** Key transport. Default `rsa-pkcs1` (RSA PKCS#1 v1.5, what ABM uses). */
  keyTransport?: KeyTransportName;
  /** Hash for `rsa-oaep` (and its MGF1). Default `sha1`, written as the empty default parameters. */
  oaepHash?: OaepHashName;
  /** Output layout. Default `smime` (the `*_smime.p7m` file ABM serves). */
  format?: TokenFileFormat;
  /** Line endings of text output. Default `lf`, as in ABM's files. */
  lineEnding?: LineEnding;
}

/** The CMS writer (asn1js, pkijs), loaded on the first encryption rather than with the package. */
let cms:
  | Promise<[typeof import('./lib/certificate.js'), typeof import('./lib/build-enveloped-data.js')]>
  | undefined;

const SMIME_HEADERS = [
  'Content-Type: application/pkcs7-mime; name="smime.p7m"; smime-type=enveloped-data',
  'Content-Transfer-Encoding: base64',
  'Content-Disposition: attachment; filename="smime.p7m"',
  'Content-Description: S/MIME Encrypted Message',
];

const PRINTABLE = /^[\x21-\x7e]+$/;

function validateToken(token: ServerTokenInput): void {
  const issues: { path: string[]; message: string }[] = [];
  const record = (token ?? {}) as { [K in keyof ServerTokenInput]?: unknown };
  const fields = ['consumerKey', 'consumerSecret', 'accessToken', 'accessSecret'] as const;
  for (const field of fields) {
    const value = record[field];
    if (typeof value !== 'string' || !PRINTABLE.test(value)) {
      issues.push({ path: [field], message: 'must be a non-empty string of printable ASCII' });
    }
  }
  const expiry = record.accessTokenExpiry;
  if (!(expiry instanceof Date) || Number.isNaN(expiry.getTime())) {
    issues.push({ path: ['accessTokenExpiry'], message: 'must be a valid Date' });
  }
  if (issues.length > 0) {
    throw new InvalidArgumentError(
      `encryptServerToken: the token is invalid (${issues.map((i) => `${i.path[0]} ${i.message}`).join('; ')}).`,
      { issues },
    );
  }
}

/**
 * Encrypts a server token to a certificate exactly the way Apple Business Manager does:
 * MIME headers, then base64 of a BER CMS EnvelopedData (indefinite lengths, chunked
 * ciphertext, one recipient by issuer and serial number, RSA PKCS#1 v1.5 + AES-128-CBC by
 * default). Used by the ADE simulator and tests; a real MDM only ever decrypts.
 *
 * @param token - The credentials to put in the file.
 * @param certificatePem - The PEM certificate the admin "uploaded" (e.g. from `generateKeyPair`).
 * @param options - Cipher, key transport and output layout; the defaults match ABM.
 * @returns The token file: a string for `smime`, `pem` and `base64`, bytes for `der`.
 * @throws `InvalidArgumentError` for a malformed token, `CertificateError` for a bad certificate.
 */
export async function encryptServerToken(
  token: ServerTokenInput,
  certificatePem: string,
  options: EncryptServerTokenOptions & { format: 'der' },
): Promise<Uint8Array>;
export async function encryptServerToken(
  token: ServerTokenInput,
  certificatePem: string,
  options?: EncryptServerTokenOptions & { format?: 'smime' | 'pem' | 'base64' },
): Promise<string>;
export async function encryptServerToken(
  token: ServerTokenInput,
  certificatePem: string,
  options?: EncryptServerTokenOptions,
): Promise<string | Uint8Array>;
export async function encryptServerToken(
  token: ServerTokenInput,
  certificatePem: string,
  options: EncryptServerTokenOptions = {},
): Promise<string | Uint8Array> {
  validateToken(token);
  const cipher = contentCipherByName(options.contentCipher ?? 'aes-128-cbc');
  if (cipher === undefined) {
    throw new InvalidArgumentError(
      'encryptServerToken: contentCipher must be aes-128-cbc, aes-192-cbc, aes-256-cbc or des-ede3-cbc.',
    );
  }
  const keyTransport = options.keyTransport ?? 'rsa-pkcs1';
  if (keyTransport !== 'rsa-pkcs1' && keyTransport !== 'rsa-oaep') {
    throw new InvalidArgumentError(
      'encryptServerToken: keyTransport must be rsa-pkcs1 or rsa-oaep.',
    );
  }
  const oaepHash = options.oaepHash ?? 'sha1';
  if (!['sha1', 'sha256', 'sha384', 'sha512'].includes(oaepHash)) {
    throw new InvalidArgumentError(
      'encryptServerToken: oaepHash must be sha1, sha256, sha384 or sha512.',
    );
  }
  const format = options.format ?? 'smime';
  const newline = eol(options.lineEnding ?? 'lf');
  cms ??= Promise.all([import('./lib/certificate.js'), import('./lib/build-enveloped-data.js')]);
  const [{ parseRecipientCertificate }, { buildEnvelopedData }] = await cms;
  const recipient = parseRecipientCertificate(certificatePem);
  const ber = buildEnvelopedData(recipient, new TextEncoder().encode(buildPayload(token)), {
    cipher,
    oaepHash: keyTransport === 'rsa-oaep' ? oaepHash : undefined,
  });
  switch (format) {
    case 'der':
      return ber;
    case 'base64':
      return wrapBase64(ber, 76, newline);
    case 'pem':
      return `-----BEGIN PKCS7-----${newline}${wrapBase64(ber, 64, newline)}-----END PKCS7-----${newline}`;
    case 'smime':
      return SMIME_HEADERS.join(newline) + newline + newline + wrapBase64(ber, 76, newline);
    default:
      throw new InvalidArgumentError(
        'encryptServerToken: format must be smime, pem, base64 or der.',
      );
  }
}
