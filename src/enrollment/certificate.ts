import { X509Certificate } from 'node:crypto';
import { decodeBase64Strict, pemBody } from '../crypto/lib/text.js';
import { InvalidArgumentError } from '../errors/index.js';
import { contentOf, oidOf, rawOf, sameBytes, seq } from './asn1.js';
import { isContextTag, isUniversal, readBer, TAG, type Tlv } from './ber.js';
import { malformed } from './fail.js';
import { OID } from './oids.js';
import type { SignerId } from './signed-data.js';

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

function keyIdOf(bytes: Uint8Array, extensions: Tlv | undefined): Uint8Array | undefined {
  const list = extensions?.children[0];
  if (!isUniversal(list, TAG.sequence)) return undefined;
  for (const ext of list.children) {
    const [id, ...rest] = ext.children;
    if (!isUniversal(id, TAG.oid) || oidOf(bytes, id, 'extension') !== OID.subjectKeyIdentifier)
      continue;
    const wrapped = rest[rest.length - 1];
    if (!isUniversal(wrapped, TAG.octetString) || wrapped.constructed) return undefined;
    const value = contentOf(bytes, wrapped);
    const inner = readBer(value, { maxDepth: 2, maxNodes: 4 });
    if (!isUniversal(inner, TAG.octetString) || inner.constructed || inner.end !== value.byteLength)
      return undefined;
    return contentOf(value, inner);
  }
  return undefined;
}

/**
 * Reads one certificate: `bytes` alone (DER), or the element `t` inside `bytes` (a bag entry).
 * @internal
 */
export function readCertificate(
  bytes: Uint8Array,
  t?: Tlv,
  what = 'A certificate in the bag',
): BagCertificate {
  const node = t ?? readBer(bytes, { maxDepth: 16, maxNodes: 2048 });
  if (t === undefined && node.end !== bytes.byteLength) malformed(`${what} has trailing bytes.`);
  const der = rawOf(bytes, node);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
    // Decode the key now: X509Certificate reads it lazily and throws on access.
    void x509.publicKey.asymmetricKeyType;
  } catch (cause) {
    return malformed(`${what} is not an X.509 certificate.`, 'cms', cause);
  }
  const [tbs] = seq(node, 'certificate');
  const fields = seq(tbs, 'certificate');
  let i = 0;
  if (isContextTag(fields[i], 0)) i++;
  const serial = fields[i];
  const issuer = fields[i + 2];
  if (
    !isUniversal(serial, TAG.integer) ||
    serial.constructed ||
    !isUniversal(issuer, TAG.sequence)
  ) {
    malformed(`${what} is malformed.`);
  }
  return {
    der,
    x509,
    issuer: rawOf(bytes, issuer),
    serial: contentOf(bytes, serial),
    keyId: keyIdOf(
      bytes,
      fields.find((f) => isContextTag(f, 3)),
    ),
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
export function matchesSigner(cert: BagCertificate, sid: SignerId): boolean {
  if (sid.kind === 'key-id') return cert.keyId !== undefined && sameBytes(cert.keyId, sid.keyId);
  return sameBytes(cert.issuer, sid.issuer) && sameBytes(cert.serial, sid.serial);
}
