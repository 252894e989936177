import { randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

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

/** DER as PEM text with 64-character lines. @internal */
export function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The self-signed certificate of `generateKeyPair()` (pkijs, asn1js): SHA-256 with RSA; key
 * usage keyEncipherment + digitalSignature, critical; basicConstraints CA=false; random
 * positive 16-byte serial; valid from a few minutes ago for `validityDays`. Loaded on the first
 * key pair rather than with the package.
 * @returns The certificate, DER.
 * @internal
 */
export async function selfSignedCertificate(
  keys: webcrypto.CryptoKeyPair,
  commonName: string,
  validityDays: number,
): Promise<ArrayBuffer> {
  const engine = new pkijs.CryptoEngine({
    name: 'node',
    crypto: webcrypto as unknown as EngineCrypto,
  });
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

  return cert.toSchema().toBER();
}
