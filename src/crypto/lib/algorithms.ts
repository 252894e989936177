/**
 * Object identifiers and parameters of the algorithms a server token may use.
 * @internal
 */
import type { ContentCipherName, OaepHashName } from '../types.js';

/** `pkcs7-envelopedData`. @internal */
export const OID_ENVELOPED_DATA = '1.2.840.113549.1.7.3';
/** `pkcs7-data`. @internal */
export const OID_DATA = '1.2.840.113549.1.7.1';
/** `rsaEncryption`: RSA PKCS#1 v1.5 key transport. @internal */
export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
/** `id-RSAES-OAEP`. @internal */
export const OID_RSAES_OAEP = '1.2.840.113549.1.1.7';
/** `id-mgf1`. @internal */
export const OID_MGF1 = '1.2.840.113549.1.1.8';
/** `id-pSpecified`. @internal */
export const OID_P_SPECIFIED = '1.2.840.113549.1.1.9';

/** Key and IV sizes of a content cipher. @internal */
export interface ContentCipherSpec {
  /** Name as `node:crypto` knows it. */
  readonly name: ContentCipherName;
  /** Object identifier in CMS. */
  readonly oid: string;
  /** Key length in bytes. */
  readonly keyLength: number;
  /** IV (and block) length in bytes. */
  readonly ivLength: number;
}

const CONTENT_CIPHERS: readonly ContentCipherSpec[] = [
  { name: 'aes-128-cbc', oid: '2.16.840.1.101.3.4.1.2', keyLength: 16, ivLength: 16 },
  { name: 'aes-192-cbc', oid: '2.16.840.1.101.3.4.1.22', keyLength: 24, ivLength: 16 },
  { name: 'aes-256-cbc', oid: '2.16.840.1.101.3.4.1.42', keyLength: 32, ivLength: 16 },
  { name: 'des-ede3-cbc', oid: '1.2.840.113549.3.7', keyLength: 24, ivLength: 8 },
];

/** The content cipher with this OID, if supported. @internal */
export function contentCipherByOid(oid: string): ContentCipherSpec | undefined {
  return CONTENT_CIPHERS.find((c) => c.oid === oid);
}

/** The content cipher with this name, if supported. @internal */
export function contentCipherByName(name: string): ContentCipherSpec | undefined {
  return CONTENT_CIPHERS.find((c) => c.name === name);
}

const OAEP_HASHES: readonly { name: OaepHashName; oid: string }[] = [
  { name: 'sha1', oid: '1.3.14.3.2.26' },
  { name: 'sha256', oid: '2.16.840.1.101.3.4.2.1' },
  { name: 'sha384', oid: '2.16.840.1.101.3.4.2.2' },
  { name: 'sha512', oid: '2.16.840.1.101.3.4.2.3' },
];

/** The OAEP hash with this OID, if supported. @internal */
export function oaepHashByOid(oid: string): OaepHashName | undefined {
  return OAEP_HASHES.find((h) => h.oid === oid)?.name;
}

/** The OID of an OAEP hash. @internal */
export function oaepHashOid(name: OaepHashName): string {
  const found = OAEP_HASHES.find((h) => h.name === name);
  /* c8 ignore next -- the union type covers every entry */
  return found ? found.oid : '1.3.14.3.2.26';
}
