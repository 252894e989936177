import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { decodeBase64Strict, pemBody } from '../crypto/lib/text.js';
import { InvalidArgumentError } from '../errors/index.js';
import { rawOf, sameBytes, seq } from './asn1.js';
import { malformed } from './fail.js';
import { OID } from './oids.js';

/** A certificate with the raw fields that CMS signer matching needs. @internal */
export interface BagCertificate {
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
  /** Raw issuer Name encoding. */
  readonly issuer: Uint8Array;
  /** Serial number INTEGER content bytes. */
  readonly serial: Uint8Array;
  /** Subject key identifier extension value, if present. */
  readonly keyId: Uint8Array | undefined;
}

function keyIdOf(extensions: asn1js.AsnType | undefined): Uint8Array | undefined {
  if (!(extensions instanceof asn1js.Constructed)) return undefined;
  const list = extensions.valueBlock.value[0];
  if (!(list instanceof asn1js.Sequence)) return undefined;
  for (const ext of list.valueBlock.value) {
    if (!(ext instanceof asn1js.Sequence)) continue;
    const [id, ...rest] = ext.valueBlock.value;
    if (!(id instanceof asn1js.ObjectIdentifier) || id.getValue() !== OID.subjectKeyIdentifier) {
      continue;
    }
    const wrapped = rest[rest.length - 1];
    if (!(wrapped instanceof asn1js.OctetString)) return undefined;
    const inner = asn1js.fromBER(wrapped.valueBlock.valueHexView, { maxDepth: 2, maxNodes: 4 });
    if (inner.offset === -1 || !(inner.result instanceof asn1js.OctetString)) return undefined;
    return new Uint8Array(inner.result.valueBlock.valueHexView);
  }
  return undefined;
}

/** Parses one certificate's DER (from the bag or an anchor). @internal */
export function readCertificate(
  der: Uint8Array,
  what = 'A certificate in the bag',
): BagCertificate {
  let x509: X509Certificate;
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    x509 = new X509Certificate(der);
    // Decode the key and names now: X509Certificate reads them lazily and throws on access.
    void x509.publicKey.asymmetricKeyType;
    void x509.subject;
    void x509.issuer;
    parsed = asn1js.fromBER(der, { maxDepth: 16, maxNodes: 2048 });
  } catch (cause) {
    return malformed(`${what} is not an X.509 certificate.`, 'cms', cause);
  }
  if (parsed.offset === -1) malformed(`${what} is not an X.509 certificate.`);
  const [tbs] = seq(parsed.result, 'certificate');
  const fields = seq(tbs, 'certificate');
  let i = 0;
  if (fields[i]?.idBlock.tagClass === 3 && fields[i]?.idBlock.tagNumber === 0) i++;
  const serial = fields[i];
  const issuer = fields[i + 2];
  if (!(serial instanceof asn1js.Integer) || !(issuer instanceof asn1js.Sequence)) {
    malformed(`${what} is malformed.`);
  }
  const extensions = fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 3);
  return {
    der,
    x509,
    issuer: rawOf(issuer),
    serial: new Uint8Array(serial.valueBlock.valueHexView),
    keyId: keyIdOf(extensions),
  };
}

/** Parses PEM trust anchors (several certificates per string allowed). @internal */
export function readAnchors(pems: readonly string[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  const advice = 'Pass `trustAnchors` as an array of PEM certificate strings.';
  if (!Array.isArray(pems))
    throw new InvalidArgumentError(`\`trustAnchors\` is not an array. ${advice}`);
  for (const pem of pems) {
    if (typeof pem !== 'string')
      throw new InvalidArgumentError(`A trust anchor is not a string. ${advice}`);
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    for (const block of blocks) {
      const body = pemBody(block, ['CERTIFICATE']);
      const der = body === undefined ? undefined : decodeBase64Strict(body);
      try {
        if (der === undefined) throw new RangeError('not base64');
        out.push(new X509Certificate(der));
      } catch (cause) {
        throw new InvalidArgumentError(`A trust anchor is not a PEM certificate. ${advice}`, {
          cause,
        });
      }
    }
  }
  if (out.length === 0)
    throw new InvalidArgumentError(`No trust anchor certificate was found. ${advice}`);
  return out;
}

/** Whether `cert` matches a SignerInfo's identifier. @internal */
export function matchesSigner(
  cert: BagCertificate,
  sid:
    | { readonly kind: 'issuer-serial'; readonly issuer: Uint8Array; readonly serial: Uint8Array }
    | { readonly kind: 'key-id'; readonly keyId: Uint8Array },
): boolean {
  if (sid.kind === 'key-id') return cert.keyId !== undefined && sameBytes(cert.keyId, sid.keyId);
  return sameBytes(cert.issuer, sid.issuer) && sameBytes(cert.serial, sid.serial);
}
