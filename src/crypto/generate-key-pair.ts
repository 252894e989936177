import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
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

type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
type PkijsKey = Parameters<pkijs.Certificate['sign']>[0];

const OID_COMMON_NAME = '2.5.4.3';
const OID_KEY_USAGE = '2.5.29.15';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const DAY_MS = 86_400_000;
const BACKDATE_MS = 5 * 60_000;

function name(commonName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({
        type: OID_COMMON_NAME,
        value: new asn1js.Utf8String({ value: commonName }),
      }),
    ],
  });
}

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

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
  const engine = new pkijs.CryptoEngine({
    name: 'node',
    crypto: webcrypto as unknown as EngineCrypto,
  });
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

  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive, and exactly 16 bytes long
  const now = Date.now();
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  cert.issuer = name(commonName);
  cert.subject = name(commonName);
  cert.notBefore.value = new Date(now - BACKDATE_MS);
  cert.notAfter.value = new Date(now + validityDays * DAY_MS);
  cert.extensions = [
    new pkijs.Extension({
      extnID: OID_KEY_USAGE,
      critical: true,
      // digitalSignature (bit 0) + keyEncipherment (bit 2): 1010 0000, 5 unused bits
      extnValue: new asn1js.BitString({ valueHex: new Uint8Array([0xa0]), unusedBits: 5 }).toBER(),
    }),
    new pkijs.Extension({
      extnID: OID_BASIC_CONSTRAINTS,
      critical: true,
      extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(),
    }),
  ];
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey as unknown as PkijsKey, engine);
  await cert.sign(keys.privateKey as unknown as PkijsKey, 'SHA-256', engine);

  const privateKeyPem = KeyObject.from(keys.privateKey)
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return { privateKeyPem, certificatePem: toPem('CERTIFICATE', cert.toSchema().toBER()) };
}
