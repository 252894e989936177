import * as asn1js from 'asn1js';
import { algorithmOid, childrenOf, isContext, octetsOf, oidOf, rawOf, seq } from './asn1.js';
import { malformed } from './fail.js';
import { MAX_BAG_CERTIFICATES, SIGNED_DATA_BER_LIMITS } from './limits.js';
import { OID } from './oids.js';

/** One signed attribute: its type and the raw values. @internal */
export interface SignedAttribute {
  readonly type: string;
  readonly values: readonly asn1js.AsnType[];
}

/** One SignerInfo, as needed to verify it. @internal */
export interface ParsedSignerInfo {
  /** `issuerAndSerialNumber`: raw issuer Name and serial INTEGER bytes; or a subject key id. */
  readonly sid:
    | { readonly kind: 'issuer-serial'; readonly issuer: Uint8Array; readonly serial: Uint8Array }
    | { readonly kind: 'key-id'; readonly keyId: Uint8Array };
  readonly digestOid: string;
  /** The DER to verify when signed attributes are present (`[0]` re-tagged as SET OF). */
  readonly signedAttrsDer: Uint8Array | undefined;
  readonly signedAttrs: readonly SignedAttribute[] | undefined;
  readonly signatureOid: string;
  readonly signature: Uint8Array;
}

/** The parts of a CMS SignedData that verification needs. @internal */
export interface ParsedSignedData {
  readonly contentType: string;
  /** The encapsulated content (chunks of a constructed OCTET STRING joined). */
  readonly content: Uint8Array;
  /** Raw encodings of the bag's certificates (other CertificateChoices are skipped). */
  readonly certificates: readonly Uint8Array[];
  readonly signers: readonly ParsedSignerInfo[];
}

function attributesOf(node: asn1js.AsnType): SignedAttribute[] {
  return childrenOf(node, 'signed attributes').map((attr) => {
    const [type, values, ...extra] = seq(attr, 'signed attribute');
    if (!(values instanceof asn1js.Set) || extra.length > 0) {
      malformed('A signed attribute is malformed.');
    }
    return { type: oidOf(type, 'signed attribute type'), values: values.valueBlock.value };
  });
}

/** The DER over which a signature with signed attributes is computed: `[0]` → `SET OF` (0x31). */
function signedAttrsDerOf(node: asn1js.AsnType): Uint8Array {
  const raw = rawOf(node);
  const copy = new Uint8Array(raw);
  copy[0] = 0x31;
  return copy;
}

function signerOf(node: asn1js.AsnType): ParsedSignerInfo {
  const fields = seq(node, 'SignerInfo');
  let i = 0;
  if (!(fields[i++] instanceof asn1js.Integer)) malformed('A SignerInfo version is malformed.');
  const sidNode = fields[i++];
  let sid: ParsedSignerInfo['sid'];
  if (sidNode instanceof asn1js.Sequence) {
    const [issuer, serial, ...extra] = sidNode.valueBlock.value;
    if (
      !(issuer instanceof asn1js.Sequence) ||
      !(serial instanceof asn1js.Integer) ||
      extra.length
    ) {
      malformed('A signer identifier is malformed.');
    }
    sid = {
      kind: 'issuer-serial',
      issuer: rawOf(issuer),
      serial: new Uint8Array(serial.valueBlock.valueHexView),
    };
  } else if (isContext(sidNode, 0)) {
    sid = { kind: 'key-id', keyId: octetsOf(sidNode, 'subject key identifier') };
  } else {
    return malformed('A signer identifier is malformed.');
  }
  const digestOid = algorithmOid(fields[i++], 'digest algorithm');
  let signedAttrsDer: Uint8Array | undefined;
  let signedAttrs: SignedAttribute[] | undefined;
  const maybeAttrs = fields[i];
  if (isContext(maybeAttrs, 0)) {
    signedAttrs = attributesOf(maybeAttrs);
    signedAttrsDer = signedAttrsDerOf(maybeAttrs);
    i++;
  }
  const signatureOid = algorithmOid(fields[i++], 'signature algorithm');
  const signature = fields[i++];
  if (!(signature instanceof asn1js.OctetString)) malformed('A signature value is malformed.');
  if (isContext(fields[i], 1)) i++;
  if (i !== fields.length) malformed('A SignerInfo has unexpected fields.');
  return {
    sid,
    digestOid,
    signedAttrsDer,
    signedAttrs,
    signatureOid,
    signature: octetsOf(signature, 'signature value'),
  };
}

function certificatesOf(node: asn1js.AsnType): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const choice of childrenOf(node, 'certificate bag')) {
    // CertificateChoices: only plain X.509 certificates (a SEQUENCE) are used.
    if (!(choice instanceof asn1js.Sequence)) continue;
    if (out.length >= MAX_BAG_CERTIFICATES) malformed('The certificate bag is too large.', 'limit');
    out.push(rawOf(choice));
  }
  return out;
}

function encapsulatedOf(node: asn1js.AsnType | undefined): { type: string; content: Uint8Array } {
  const [type, explicit, ...extra] = seq(node, 'encapsulated content');
  if (extra.length > 0) malformed('The encapsulated content has unexpected fields.');
  const contentType = oidOf(type, 'content type');
  if (!isContext(explicit, 0)) malformed('The MachineInfo is not attached to the signature.');
  const inner = childrenOf(explicit, 'encapsulated content');
  if (inner.length !== 1) malformed('The encapsulated content is malformed.');
  return { type: contentType, content: octetsOf(inner[0], 'encapsulated content') };
}

/**
 * Parses BER bytes as a CMS ContentInfo holding SignedData (RFC 5652 §5) with tight parser limits,
 * indefinite lengths and constructed strings allowed, no trailing bytes. @internal
 */
export function parseSignedData(ber: Uint8Array): ParsedSignedData {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(ber, SIGNED_DATA_BER_LIMITS);
  } catch (cause) {
    return malformed('The MachineInfo is not valid BER.', 'cms', cause);
  }
  if (parsed.offset === -1) malformed('The MachineInfo is not valid BER.');
  if (parsed.offset !== ber.byteLength) malformed('The MachineInfo has bytes after the CMS data.');
  const [type, explicit, ...rest] = seq(parsed.result, 'CMS ContentInfo');
  if (rest.length > 0 || oidOf(type, 'CMS content type') !== OID.signedData) {
    malformed('The MachineInfo is not CMS SignedData.');
  }
  if (!isContext(explicit, 0)) malformed('The MachineInfo is not CMS SignedData.');
  const wrapped = childrenOf(explicit, 'SignedData');
  if (wrapped.length !== 1) malformed('The MachineInfo is not CMS SignedData.');
  const fields = seq(wrapped[0], 'SignedData');
  let i = 0;
  if (!(fields[i++] instanceof asn1js.Integer)) malformed('The SignedData version is malformed.');
  if (!(fields[i++] instanceof asn1js.Set))
    malformed('The SignedData digest algorithms are malformed.');
  const { type: contentType, content } = encapsulatedOf(fields[i++]);
  let certificates: Uint8Array[] = [];
  if (isContext(fields[i], 0)) certificates = certificatesOf(fields[i++] as asn1js.AsnType);
  if (isContext(fields[i], 1)) i++;
  const signerSet = fields[i++];
  if (!(signerSet instanceof asn1js.Set)) malformed('The SignedData signer infos are malformed.');
  if (i !== fields.length) malformed('The SignedData has unexpected fields.');
  const signerNodes = signerSet.valueBlock.value;
  if (signerNodes.length > 4) malformed('The SignedData has too many signers.', 'limit');
  return { contentType, content, certificates, signers: signerNodes.map(signerOf) };
}
