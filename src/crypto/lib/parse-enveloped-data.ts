import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
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

function fail(what: string): never {
  throw new TokenFormatError(`${what} ${HINT}`);
}

function bytesOf(octets: asn1js.OctetString): Uint8Array {
  return new Uint8Array(octets.getValue());
}

function algorithmIn(tagged: asn1js.AsnType): pkijs.AlgorithmIdentifier | undefined {
  if (!(tagged instanceof asn1js.Constructed) || tagged.idBlock.tagClass !== 3) return undefined;
  const inner = tagged.valueBlock.value[0];
  if (tagged.valueBlock.value.length !== 1 || !(inner instanceof asn1js.Sequence)) return undefined;
  return new pkijs.AlgorithmIdentifier({ schema: inner });
}

/**
 * Reads RSAES-OAEP-params (RFC 8017 A.2.1) by hand: pkijs fills in a wrong default label.
 * Returns the hash when the parameters are supported (same hash for MGF1, empty label).
 */
function oaepHashOf(params: unknown): OaepHashName | undefined {
  if (params === undefined || params instanceof asn1js.Null) return 'sha1';
  if (!(params instanceof asn1js.Sequence)) return undefined;
  let hash: OaepHashName | undefined = 'sha1';
  let mgfHash: OaepHashName | undefined = 'sha1';
  for (const item of params.valueBlock.value) {
    const alg = algorithmIn(item);
    if (alg === undefined) return undefined;
    const tag = item.idBlock.tagNumber;
    if (tag === 0) {
      hash = oaepHashByOid(alg.algorithmId);
    } else if (tag === 1) {
      const mgf = alg.algorithmParams;
      mgfHash =
        alg.algorithmId === OID_MGF1 && mgf instanceof asn1js.Sequence
          ? oaepHashByOid(new pkijs.AlgorithmIdentifier({ schema: mgf }).algorithmId)
          : undefined;
    } else if (tag === 2) {
      const label = alg.algorithmParams;
      const emptyLabel =
        label === undefined ||
        (label instanceof asn1js.OctetString && label.getValue().byteLength === 0);
      if (alg.algorithmId !== OID_P_SPECIFIED || !emptyLabel) return undefined;
    } else {
      return undefined;
    }
  }
  // Node's OAEP uses the same hash for MGF1; a different MGF1 hash is not supported.
  return hash !== undefined && mgfHash === hash ? hash : undefined;
}

function recipientsOf(enveloped: pkijs.EnvelopedData): KeyTransRecipient[] {
  if (enveloped.recipientInfos.length > MAX_RECIPIENTS) fail('The file has too many recipients.');
  const out: KeyTransRecipient[] = [];
  for (const info of enveloped.recipientInfos) {
    if (info.variant !== 1 || !(info.value instanceof pkijs.KeyTransRecipientInfo)) continue;
    const { algorithmId, algorithmParams } = info.value.keyEncryptionAlgorithm;
    const encryptedKey = bytesOf(info.value.encryptedKey);
    if (algorithmId === OID_RSA_ENCRYPTION) {
      out.push({ oaepHash: undefined, encryptedKey });
    } else if (algorithmId === OID_RSAES_OAEP) {
      const oaepHash = oaepHashOf(algorithmParams);
      if (oaepHash !== undefined) out.push({ oaepHash, encryptedKey });
    }
  }
  if (out.length === 0) {
    fail('The file has no RSA recipient abmkit supports (RSA PKCS#1 v1.5 or RSA-OAEP).');
  }
  return out;
}

function contentOf(enveloped: pkijs.EnvelopedData): Omit<ParsedEnvelope, 'recipients'> {
  const info = enveloped.encryptedContentInfo;
  const cipher = contentCipherByOid(info.contentEncryptionAlgorithm.algorithmId);
  if (cipher === undefined) {
    fail(
      'The file uses a content cipher abmkit does not support (AES-CBC or DES-EDE3-CBC expected).',
    );
  }
  const ivParam = info.contentEncryptionAlgorithm.algorithmParams;
  const iv = ivParam instanceof asn1js.OctetString ? bytesOf(ivParam) : undefined;
  if (iv === undefined || iv.byteLength !== cipher.ivLength)
    fail('The content cipher IV is malformed.');
  if (info.encryptedContent === undefined) fail('The file has no encrypted content.');
  const ciphertext = new Uint8Array(info.getEncryptedContent());
  if (ciphertext.byteLength === 0 || ciphertext.byteLength % cipher.ivLength !== 0) {
    fail('The encrypted content is truncated.');
  }
  return { cipher, iv, ciphertext };
}

/**
 * Parses BER bytes as a CMS ContentInfo holding EnvelopedData, with small parser limits and
 * no trailing bytes. Every structural problem becomes a {@link TokenFormatError}.
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
  let enveloped: pkijs.EnvelopedData;
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
    if (contentInfo.contentType !== OID_ENVELOPED_DATA) {
      return fail('The file is CMS but not encrypted (EnvelopedData) data.');
    }
    enveloped = new pkijs.EnvelopedData({ schema: contentInfo.content });
  } catch (error) {
    if (error instanceof TokenFormatError) throw error;
    return fail('The file is not a CMS EnvelopedData structure.');
  }
  try {
    return { recipients: recipientsOf(enveloped), ...contentOf(enveloped) };
  } catch (error) {
    if (error instanceof TokenFormatError) throw error;
    return fail('The CMS EnvelopedData structure is malformed.');
  }
}
