import { type KeyObject, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateError } from '../../errors/index.js';
import { decodeBase64Strict, pemBody } from './text.js';

/** What CMS key transport needs from the recipient certificate. @internal */
export interface RecipientCertificate {
  /** The issuer name, ready to re-encode in IssuerAndSerialNumber. */
  readonly issuer: pkijs.RelativeDistinguishedNames;
  /** The serial number as encoded in the certificate. */
  readonly serialNumber: asn1js.Integer;
  /** The RSA public key. */
  readonly publicKey: KeyObject;
}

const WHAT_TO_DO =
  'Pass the PEM certificate (-----BEGIN CERTIFICATE-----) of an RSA key pair, e.g. the certificatePem from generateKeyPair().';

/** Parses a PEM X.509 certificate with an RSA public key. @internal */
export function parseRecipientCertificate(certificatePem: string): RecipientCertificate {
  if (typeof certificatePem !== 'string') {
    throw new CertificateError(`The certificate must be a PEM string. ${WHAT_TO_DO}`);
  }
  const body = pemBody(certificatePem, ['CERTIFICATE']);
  const der = body === undefined ? undefined : decodeBase64Strict(body);
  if (der === undefined) {
    throw new CertificateError(`No PEM certificate found. ${WHAT_TO_DO}`);
  }
  let cert: pkijs.Certificate;
  let publicKey: KeyObject;
  try {
    const parsed = asn1js.fromBER(der, { maxDepth: 32, maxNodes: 2000 });
    if (parsed.offset !== der.byteLength) throw new RangeError('trailing bytes');
    cert = new pkijs.Certificate({ schema: parsed.result });
    publicKey = new X509Certificate(der).publicKey;
  } catch {
    throw new CertificateError(`The certificate could not be parsed. ${WHAT_TO_DO}`);
  }
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new CertificateError(
      `The certificate holds a ${publicKey.asymmetricKeyType ?? 'non-RSA'} key; ABM server tokens need RSA. ${WHAT_TO_DO}`,
    );
  }
  return { issuer: cert.issuer, serialNumber: cert.serialNumber, publicKey };
}
