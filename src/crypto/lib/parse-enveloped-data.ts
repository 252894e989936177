import * as asn1js from 'asn1js';
import { TokenFormatError } from '../../errors/index.js';
import type { OaepHashName } from '../types.js';
import {
  type ContentCipherSpec,
  contentCipherByOid,
  OID_ENVELOPED_DATA,
  OID_MGF1,
  OID_P_SPECIFIED,
  OID_RSA_ENCRYPTION,
  OID_RSAES_OAEP,
  oaepHashByOid,
} from './algorithms.js';
import { BER_LIMITS, MAX_RECIPIENTS } from './limits.js';

/** One RSA key-transport recipient. @internal */
export interface KeyTransRecipient {
  /** RSA-OAEP hash, or `undefined` for PKCS#1 v1.5. */
  readonly oaepHash: OaepHashName | undefined;
  /** The RSA-encrypted content-encryption key. */
  readonly encryptedKey: Uint8Array;
}

/** The parts of an EnvelopedData needed to decrypt it. @internal */
export interface ParsedEnvelope {
  /** Supported RSA key-transport recipients, in file order. */
  readonly recipients: readonly KeyTransRecipient[];
  /** The content cipher. */
  readonly cipher: ContentCipherSpec;
  /** Its IV. */
  readonly iv: Uint8Array;
  /** The ciphertext, chunks concatenated. */
  readonly ciphertext: Uint8Array;
}

const HINT = 'Download the token again from Apple Business Manager and pass the file unchanged.';
const CONTEXT = 3; // ASN.1 tag class "context-specific"

function fail(what: string): never {
  throw new TokenFormatError(`${what} ${HINT}`);
}

function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(node instanceof asn1js.Sequence)) fail(`The ${what} is malformed.`);
  return node.valueBlock.value;
}

function isContext(node: asn1js.AsnType | undefined, tag: number): node is asn1js.BaseBlock {
  return node?.idBlock.tagClass === CONTEXT && node.idBlock.tagNumber === tag;
}

/** An AlgorithmIdentifier: `SEQUENCE { OID, params OPTIONAL }`. */
function algorithmOf(node: asn1js.AsnType | undefined): { oid: string; params?: asn1js.AsnType } {
  const [oid, params, ...extra] = children(node, 'algorithm identifier');
  if (!(oid instanceof asn1js.ObjectIdentifier) || extra.length > 0) {
    fail('An algorithm identifier is malformed.');
  }
  return params === undefined ? { oid: oid.getValue() } : { oid: oid.getValue(), params };
}

/** The single AlgorithmIdentifier inside an EXPLICIT context tag. */
function taggedAlgorithm(
  node: asn1js.AsnType,
): { oid: string; params?: asn1js.AsnType } | undefined {
  if (!(node instanceof asn1js.Constructed) || node.idBlock.tagClass !== CONTEXT) return undefined;
  if (node.valueBlock.value.length !== 1) return undefined;
  return algorithmOf(node.valueBlock.value[0]);
}

/**
 * RSAES-OAEP-params (RFC 8017 A.2.1). Returns the hash when supported: MGF1 with the same
 * hash (Node's only mode) and an empty label; `undefined` otherwise.
 */
function oaepHashOf(params: asn1js.AsnType | undefined): OaepHashName | undefined {
  if (params === undefined || params instanceof asn1js.Null) return 'sha1';
  if (!(params instanceof asn1js.Sequence)) return undefined;
  let hash: OaepHashName | undefined = 'sha1';
  let mgfHash: OaepHashName | undefined = 'sha1';
  for (const item of params.valueBlock.value) {
    const alg = taggedAlgorithm(item);
    if (alg === undefined) return undefined;
    const tag = item.idBlock.tagNumber;
    if (tag === 0) {
      hash = oaepHashByOid(alg.oid);
    } else if (tag === 1) {
      mgfHash = alg.oid === OID_MGF1 ? oaepHashByOid(algorithmOf(alg.params).oid) : undefined;
    } else if (tag === 2) {
      const label = alg.params;
      const empty =
        label === undefined ||
        (label instanceof asn1js.OctetString && label.getValue().byteLength === 0);
      if (alg.oid !== OID_P_SPECIFIED || !empty) return undefined;
    } else {
      return undefined;
    }
  }
  return hash !== undefined && mgfHash === hash ? hash : undefined;
}

/** KeyTransRecipientInfo ::= SEQUENCE { version, rid, keyEncryptionAlgorithm, encryptedKey } */
function recipientOf(node: asn1js.AsnType): KeyTransRecipient | undefined {
  // Other RecipientInfo choices ([1] kari, [2] kekri, [3] pwri, [4] ori) are not for RSA keys.
  if (!(node instanceof asn1js.Sequence)) return undefined;
  const [version, rid, keyAlg, encryptedKey, ...extra] = node.valueBlock.value;
  if (
    !(version instanceof asn1js.Integer) ||
    rid === undefined ||
    !(encryptedKey instanceof asn1js.OctetString) ||
    extra.length > 0
  ) {
    fail('A recipient of the file is malformed.');
  }
  const { oid, params } = algorithmOf(keyAlg);
  const bytes = new Uint8Array(encryptedKey.getValue());
  if (oid === OID_RSA_ENCRYPTION) return { oaepHash: undefined, encryptedKey: bytes };
  if (oid !== OID_RSAES_OAEP) return undefined;
  const oaepHash = oaepHashOf(params);
  return oaepHash === undefined ? undefined : { oaepHash, encryptedKey: bytes };
}

function recipientsOf(node: asn1js.AsnType | undefined): KeyTransRecipient[] {
  if (!(node instanceof asn1js.Set)) fail('The recipients of the file are malformed.');
  if (node.valueBlock.value.length > MAX_RECIPIENTS) fail('The file has too many recipients.');
  const out: KeyTransRecipient[] = [];
  for (const info of node.valueBlock.value) {
    const recipient = recipientOf(info);
    if (recipient !== undefined) out.push(recipient);
  }
  if (out.length === 0) {
    fail('The file has no RSA recipient abmkit supports (RSA PKCS#1 v1.5 or RSA-OAEP).');
  }
  return out;
}

/** `[0] IMPLICIT OCTET STRING`, primitive or constructed from OCTET STRING chunks. */
function encryptedContentOf(node: asn1js.AsnType | undefined): Uint8Array {
  if (!isContext(node, 0)) fail('The file has no encrypted content.');
  if (!node.idBlock.isConstructed) {
    return new Uint8Array((node as asn1js.Primitive).valueBlock.valueHexView);
  }
  const chunks: Uint8Array[] = [];
  for (const chunk of (node as asn1js.Constructed).valueBlock.value) {
    if (!(chunk instanceof asn1js.OctetString)) fail('The encrypted content is malformed.');
    chunks.push(new Uint8Array(chunk.getValue()));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm, [0] encryptedContent } */
function contentOf(node: asn1js.AsnType | undefined): Omit<ParsedEnvelope, 'recipients'> {
  const [contentType, algorithm, content, ...extra] = children(node, 'encrypted content info');
  if (!(contentType instanceof asn1js.ObjectIdentifier) || extra.length > 0) {
    fail('The encrypted content info is malformed.');
  }
  const { oid, params } = algorithmOf(algorithm);
  const cipher = contentCipherByOid(oid);
  if (cipher === undefined) {
    fail(
      'The file uses a content cipher abmkit does not support (AES-CBC or DES-EDE3-CBC expected).',
    );
  }
  const iv = params instanceof asn1js.OctetString ? new Uint8Array(params.getValue()) : undefined;
  if (iv === undefined || iv.byteLength !== cipher.ivLength)
    fail('The content cipher IV is malformed.');
  const ciphertext = encryptedContentOf(content);
  if (ciphertext.byteLength === 0 || ciphertext.byteLength % cipher.ivLength !== 0) {
    fail('The encrypted content is truncated.');
  }
  return { cipher, iv, ciphertext };
}

/**
 * Parses BER bytes as a CMS ContentInfo holding EnvelopedData (RFC 5652 §6.1), with small
 * parser limits and no trailing bytes. Walks the asn1js tree directly; every structural
 * problem becomes a {@link TokenFormatError}.
 * @internal
 */
export function parseEnvelopedData(ber: Uint8Array): ParsedEnvelope {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(ber, BER_LIMITS);
  } catch {
    // asn1js throws (rather than reporting) on some malformed primitives, e.g. bad times
    return fail('The file is not valid CMS (BER decoding failed).');
  }
  if (parsed.offset === -1) fail('The file is not valid CMS (BER decoding failed).');
  if (parsed.offset !== ber.byteLength) fail('The file has unexpected bytes after the CMS data.');

  const [contentType, explicit, ...rest] = children(parsed.result, 'CMS ContentInfo');
  if (!(contentType instanceof asn1js.ObjectIdentifier) || rest.length > 0) {
    fail('The file is not a CMS ContentInfo.');
  }
  if (contentType.getValue() !== OID_ENVELOPED_DATA) {
    fail('The file is CMS but not encrypted (EnvelopedData) data.');
  }
  if (!(explicit instanceof asn1js.Constructed) || !isContext(explicit, 0)) {
    fail('The file is not a CMS EnvelopedData structure.');
  }
  if (explicit.valueBlock.value.length !== 1)
    fail('The file is not a CMS EnvelopedData structure.');
  // EnvelopedData ::= SEQUENCE { version, originatorInfo [0] OPTIONAL, recipientInfos,
  //                              encryptedContentInfo, unprotectedAttrs [1] OPTIONAL }
  const fields = children(explicit.valueBlock.value[0], 'EnvelopedData');
  let i = 0;
  if (!(fields[i++] instanceof asn1js.Integer)) fail('The EnvelopedData version is malformed.');
  if (isContext(fields[i], 0)) i++;
  const recipients = recipientsOf(fields[i++]);
  const content = contentOf(fields[i++]);
  if (isContext(fields[i], 1)) i++;
  if (i !== fields.length) fail('The EnvelopedData structure has unexpected fields.');
  return { recipients, ...content };
}
