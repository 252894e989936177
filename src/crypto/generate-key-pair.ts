import { KeyObject, webcrypto } from 'node:crypto';
import { InvalidArgumentError } from '../errors/index.js';

/** Options for {@link generateKeyPair}. */
export interface GenerateKeyPairOptions {
  /** RSA modulus length in bits. Default 2048. */
  modulusLength?: 2048 | 3072 | 4096;
  /** Common name of the self-signed certificate (shown nowhere in ABM). Default `abmkit`. */
  commonName?: string;
  /** How many days the certificate is valid. Default 365. ABM only needs it valid at upload. */
  validityDays?: number;
}

/** A freshly generated RSA key pair for the ABM token exchange. */
export interface KeyPair {
  /** The RSA private key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Secret: store it safely and keep it for renewals. */
  privateKeyPem: string;
  /** The self-signed X.509 certificate, PEM. This is the file the admin uploads to ABM. */
  certificatePem: string;
}

/** The certificate builder (pkijs, asn1js), loaded on the first key pair rather than with the package. */
let builder: Promise<typeof import('./lib/self-signed-certificate.js')> | undefined;

function validate(options: GenerateKeyPairOptions | undefined): Required<GenerateKeyPairOptions> {
  // `?.`: a JavaScript caller may pass null for "no options".
  const modulusLength = options?.modulusLength ?? 2048;
  const commonName = options?.commonName ?? 'abmkit';
  const validityDays = options?.validityDays ?? 365;
  if (![2048, 3072, 4096].includes(modulusLength)) {
    throw new InvalidArgumentError('generateKeyPair: modulusLength must be 2048, 3072 or 4096.');
  }
  if (typeof commonName !== 'string' || commonName.length === 0 || commonName.length > 64) {
    throw new InvalidArgumentError('generateKeyPair: commonName must be 1 to 64 characters.');
  }
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3650) {
    throw new InvalidArgumentError(
      'generateKeyPair: validityDays must be a whole number from 1 to 3650.',
    );
  }
  return { modulusLength, commonName, validityDays };
}

/**
 * Generates the key pair an MDM server needs for the ABM token exchange: an RSA key
 * (e = 65537) and a self-signed certificate (SHA-256 with RSA; key usage keyEncipherment +
 * digitalSignature, critical; basicConstraints CA=false; random serial; valid from a few
 * minutes ago). The admin uploads `certificatePem` to ABM; keep `privateKeyPem` secret and
 * keep it after decrypting the token, since renewals need it again.
 *
 * @param options - Key size, common name and validity.
 * @returns The private key (PKCS#8 PEM) and the certificate (PEM).
 * @throws {@link InvalidArgumentError} for out-of-range options.
 */
export async function generateKeyPair(options: GenerateKeyPairOptions = {}): Promise<KeyPair> {
  const { modulusLength, commonName, validityDays } = validate(options);
  builder ??= import('./lib/self-signed-certificate.js');
  const { selfSignedCertificate, toPem } = await builder;
  const keys = (await webcrypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair;
  const der = await selfSignedCertificate(keys, commonName, validityDays);
  const privateKeyPem = KeyObject.from(keys.privateKey)
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return { privateKeyPem, certificatePem: toPem('CERTIFICATE', der) };
}
