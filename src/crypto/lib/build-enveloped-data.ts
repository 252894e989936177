import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { OaepHashName } from '../types.js';
import {
  type ContentCipherSpec,
  OID_DATA,
  OID_ENVELOPED_DATA,
  OID_MGF1,
  OID_RSA_ENCRYPTION,
  OID_RSAES_OAEP,
  oaepHashOid,
} from './algorithms.js';
import type { RecipientCertificate } from './certificate.js';

/** Largest OCTET STRING chunk written inside the constructed encrypted content. @internal */
export const CONTENT_CHUNK_SIZE = 512;

/** How to encrypt an EnvelopedData. @internal */
export interface EnvelopeOptions {
  /** The content cipher. */
  readonly cipher: ContentCipherSpec;
  /** RSA-OAEP hash, or `undefined` for RSA PKCS#1 v1.5 key transport. */
  readonly oaepHash: OaepHashName | undefined;
}

const indefinite = { lenBlock: { isIndefiniteForm: true }, isIndefiniteForm: true } as const;

function algorithm(oid: string, params?: asn1js.AsnType): asn1js.Sequence {
  const value: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: oid })];
  if (params !== undefined) value.push(params);
  return new asn1js.Sequence({ value });
}

function oaepParams(hash: OaepHashName): asn1js.Sequence {
  // SHA-1 everywhere is the DEFAULT of RSAES-OAEP-params: an empty SEQUENCE, as OpenSSL writes it.
  if (hash === 'sha1') return new asn1js.Sequence({ value: [] });
  const hashAlg = algorithm(oaepHashOid(hash), new asn1js.Null());
  return new asn1js.Sequence({
    value: [
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [hashAlg] }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 1 },
        value: [algorithm(OID_MGF1, algorithm(oaepHashOid(hash), new asn1js.Null()))],
      }),
    ],
  });
}

function keyTransRecipientInfo(
  recipient: RecipientCertificate,
  cek: Uint8Array,
  oaepHash: OaepHashName | undefined,
): asn1js.Sequence {
  const encryptedKey =
    oaepHash === undefined
      ? publicEncrypt({ key: recipient.publicKey, padding: constants.RSA_PKCS1_PADDING }, cek)
      : publicEncrypt(
          { key: recipient.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
          cek,
        );
  const keyAlg =
    oaepHash === undefined
      ? algorithm(OID_RSA_ENCRYPTION, new asn1js.Null())
      : algorithm(OID_RSAES_OAEP, oaepParams(oaepHash));
  return new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({ value: [recipient.issuer.toSchema(), recipient.serialNumber] }),
      keyAlg,
      new asn1js.OctetString({ valueHex: encryptedKey }),
    ],
  });
}

/**
 * Encrypts `content` into a BER ContentInfo/EnvelopedData laid out as ABM writes it:
 * indefinite lengths on the outer structures, one KeyTransRecipientInfo identified by
 * issuer and serial number, and the ciphertext as a constructed `[0]` of OCTET STRING chunks.
 * @internal
 */
export function buildEnvelopedData(
  recipient: RecipientCertificate,
  content: Uint8Array,
  options: EnvelopeOptions,
): Uint8Array {
  const { cipher } = options;
  const cek = randomBytes(cipher.keyLength);
  const iv = randomBytes(cipher.ivLength);
  const encipher = createCipheriv(cipher.name, cek, iv);
  const ciphertext = Buffer.concat([encipher.update(content), encipher.final()]);
  const recipientInfo = keyTransRecipientInfo(recipient, cek, options.oaepHash);
  cek.fill(0);

  const chunks: asn1js.OctetString[] = [];
  for (let i = 0; i < ciphertext.length; i += CONTENT_CHUNK_SIZE) {
    chunks.push(
      new asn1js.OctetString({ valueHex: ciphertext.subarray(i, i + CONTENT_CHUNK_SIZE) }),
    );
  }
  const encryptedContentInfo = new asn1js.Sequence({
    ...indefinite,
    value: [
      new asn1js.ObjectIdentifier({ value: OID_DATA }),
      algorithm(cipher.oid, new asn1js.OctetString({ valueHex: iv })),
      new asn1js.Constructed({
        ...indefinite,
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: chunks,
      }),
    ],
  });
  const envelopedData = new asn1js.Sequence({
    ...indefinite,
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Set({ value: [recipientInfo] }),
      encryptedContentInfo,
    ],
  });
  const contentInfo = new asn1js.Sequence({
    ...indefinite,
    value: [
      new asn1js.ObjectIdentifier({ value: OID_ENVELOPED_DATA }),
      new asn1js.Constructed({
        ...indefinite,
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [envelopedData],
      }),
    ],
  });
  return new Uint8Array(contentInfo.toBER());
}
