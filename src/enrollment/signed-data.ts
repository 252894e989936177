import { algorithmOid, childrenOf, octetsOf, oidOf, rawOf, seq } from './asn1.js';
import { isContextTag, isUniversal, readBer, TAG, type Tlv } from './ber.js';
import { malformed } from './fail.js';
import { MAX_BAG_CERTIFICATES, SIGNED_DATA_BER_LIMITS } from './limits.js';
import { OID } from './oids.js';

/** One signed attribute: its type and its values. @internal */
export interface SignedAttribute {
  readonly type: string;
  readonly values: readonly Tlv[];
}

/** A SignerInfo's identifier. @internal */
export type SignerId =
  | { readonly kind: 'issuer-serial'; readonly issuer: Uint8Array; readonly serial: Uint8Array }
  | { readonly kind: 'key-id'; readonly keyId: Uint8Array };

/** One SignerInfo, as needed to verify it. @internal */
export interface ParsedSignerInfo {
  readonly sid: SignerId;
  readonly digestOid: string;
  /** The DER to verify when signed attributes are present (`[0]` re-tagged as SET OF). */
  readonly signedAttrsDer: Uint8Array | undefined;
  readonly signedAttrs: readonly SignedAttribute[] | undefined;
  readonly signatureOid: string;
  readonly signature: Uint8Array;
}

/** The parts of a CMS SignedData that verification needs. @internal */
export interface ParsedSignedData {
  /** The input the elements point into. */
  readonly bytes: Uint8Array;
  readonly contentType: string;
  /** The encapsulated content (chunks of a constructed OCTET STRING joined). */
  readonly content: Uint8Array;
  /** The bag's certificates (other CertificateChoices are skipped). */
  readonly certificates: readonly Tlv[];
  readonly signers: readonly ParsedSignerInfo[];
}

function attributesOf(bytes: Uint8Array, t: Tlv): SignedAttribute[] {
  return childrenOf(t, 'signed attributes').map((attr) => {
    const [type, values, ...extra] = seq(attr, 'signed attribute');
    if (!isUniversal(values, TAG.set) || !values.constructed || extra.length > 0) {
      malformed('A signed attribute is malformed.');
    }
    return { type: oidOf(bytes, type, 'signed attribute type'), values: values.children };
  });
}

/** The DER over which a signature with signed attributes is computed: `[0]` → `SET OF` (0x31). */
function signedAttrsDerOf(bytes: Uint8Array, t: Tlv): Uint8Array {
  const copy = new Uint8Array(rawOf(bytes, t));
  copy[0] = 0x31;
  return copy;
}

function signerOf(bytes: Uint8Array, t: Tlv): ParsedSignerInfo {
  const fields = seq(t, 'SignerInfo');
  let i = 0;
  if (!isUniversal(fields[i++], TAG.integer)) malformed('A SignerInfo version is malformed.');
  const sidNode = fields[i++];
  let sid: SignerId;
  if (isUniversal(sidNode, TAG.sequence)) {
    const [issuer, serial, ...extra] = seq(sidNode, 'signer identifier');
    if (
      !isUniversal(issuer, TAG.sequence) ||
      !isUniversal(serial, TAG.integer) ||
      serial.constructed ||
      extra.length
    ) {
      malformed('A signer identifier is malformed.');
    }
    sid = {
      kind: 'issuer-serial',
      issuer: rawOf(bytes, issuer),
      serial: bytes.subarray(serial.contentStart, serial.contentEnd),
    };
  } else if (isContextTag(sidNode, 0)) {
    sid = { kind: 'key-id', keyId: octetsOf(bytes, sidNode, 'subject key identifier') };
  } else {
    return malformed('A signer identifier is malformed.');
  }
  const digestOid = algorithmOid(bytes, fields[i++], 'digest algorithm');
  let signedAttrsDer: Uint8Array | undefined;
  let signedAttrs: SignedAttribute[] | undefined;
  const maybeAttrs = fields[i];
  if (isContextTag(maybeAttrs, 0)) {
    if (!maybeAttrs.constructed) malformed('The signed attributes are malformed.');
    signedAttrs = attributesOf(bytes, maybeAttrs);
    signedAttrsDer = signedAttrsDerOf(bytes, maybeAttrs);
    i++;
  }
  const signatureOid = algorithmOid(bytes, fields[i++], 'signature algorithm');
  const signature = fields[i++];
  if (!isUniversal(signature, TAG.octetString)) malformed('A signature value is malformed.');
  if (isContextTag(fields[i], 1)) i++;
  if (i !== fields.length) malformed('A SignerInfo has unexpected fields.');
  return {
    sid,
    digestOid,
    signedAttrsDer,
    signedAttrs,
    signatureOid,
    signature: octetsOf(bytes, signature, 'signature value'),
  };
}

function certificatesOf(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (const choice of childrenOf(t, 'certificate bag')) {
    // CertificateChoices: only plain X.509 certificates (a SEQUENCE) are used.
    if (!isUniversal(choice, TAG.sequence)) continue;
    if (out.length >= MAX_BAG_CERTIFICATES) malformed('The certificate bag is too large.', 'limit');
    out.push(choice);
  }
  return out;
}

function encapsulatedOf(
  bytes: Uint8Array,
  t: Tlv | undefined,
): { type: string; content: Uint8Array } {
  const [type, explicit, ...extra] = seq(t, 'encapsulated content');
  if (extra.length > 0) malformed('The encapsulated content has unexpected fields.');
  const contentType = oidOf(bytes, type, 'content type');
  if (!isContextTag(explicit, 0)) malformed('The MachineInfo is not attached to the signature.');
  const inner = childrenOf(explicit, 'encapsulated content');
  if (inner.length !== 1 || !isUniversal(inner[0], TAG.octetString)) {
    malformed('The encapsulated content is malformed.');
  }
  return { type: contentType, content: octetsOf(bytes, inner[0], 'encapsulated content') };
}

/**
 * Parses BER bytes as a CMS ContentInfo holding SignedData (RFC 5652 §5) with tight limits,
 * indefinite lengths and constructed strings allowed, no trailing bytes. @internal
 */
export function parseSignedData(bytes: Uint8Array): ParsedSignedData {
  const root = readBer(bytes, SIGNED_DATA_BER_LIMITS);
  if (root.end !== bytes.byteLength) malformed('The MachineInfo has bytes after the CMS data.');
  const [type, explicit, ...rest] = seq(root, 'CMS ContentInfo');
  if (rest.length > 0 || oidOf(bytes, type, 'CMS content type') !== OID.signedData) {
    malformed('The MachineInfo is not CMS SignedData.');
  }
  if (!isContextTag(explicit, 0)) malformed('The MachineInfo is not CMS SignedData.');
  const wrapped = childrenOf(explicit, 'SignedData');
  if (wrapped.length !== 1) malformed('The MachineInfo is not CMS SignedData.');
  const fields = seq(wrapped[0], 'SignedData');
  let i = 0;
  if (!isUniversal(fields[i++], TAG.integer)) malformed('The SignedData version is malformed.');
  if (!isUniversal(fields[i++], TAG.set))
    malformed('The SignedData digest algorithms are malformed.');
  const { type: contentType, content } = encapsulatedOf(bytes, fields[i++]);
  let certificates: Tlv[] = [];
  const maybeCerts = fields[i];
  if (isContextTag(maybeCerts, 0)) {
    certificates = certificatesOf(maybeCerts);
    i++;
  }
  if (isContextTag(fields[i], 1)) i++;
  const signerSet = fields[i++];
  if (!isUniversal(signerSet, TAG.set) || !signerSet.constructed) {
    malformed('The SignedData signer infos are malformed.');
  }
  if (i !== fields.length) malformed('The SignedData has unexpected fields.');
  if (signerSet.children.length > 4) malformed('The SignedData has too many signers.', 'limit');
  return {
    bytes,
    contentType,
    content,
    certificates,
    signers: signerSet.children.map((s) => signerOf(bytes, s)),
  };
}
