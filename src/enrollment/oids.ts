/** Object identifiers used by MachineInfo verification and profile signing. @internal */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  subjectKeyIdentifier: '2.5.29.14',
} as const;

/** Digest algorithms accepted in a SignerInfo, by OID → `node:crypto` name. @internal */
export const DIGEST_BY_OID: ReadonlyMap<string, string> = new Map([
  ['1.3.14.3.2.26', 'sha1'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
]);

/** OID of each digest name. @internal */
export const OID_BY_DIGEST: ReadonlyMap<string, string> = new Map(
  [...DIGEST_BY_OID].map(([oid, name]) => [name, oid]),
);

/**
 * Signature algorithms accepted, by OID → the digest they imply (`null`: the SignerInfo's digest
 * algorithm, as for plain `rsaEncryption`) and the key type. @internal
 */
export const SIGNATURE_BY_OID: ReadonlyMap<string, { digest: string | null; key: 'rsa' | 'ec' }> =
  new Map([
    ['1.2.840.113549.1.1.1', { digest: null, key: 'rsa' }],
    ['1.2.840.113549.1.1.5', { digest: 'sha1', key: 'rsa' }],
    ['1.2.840.113549.1.1.11', { digest: 'sha256', key: 'rsa' }],
    ['1.2.840.113549.1.1.12', { digest: 'sha384', key: 'rsa' }],
    ['1.2.840.113549.1.1.13', { digest: 'sha512', key: 'rsa' }],
    ['1.2.840.10045.4.1', { digest: 'sha1', key: 'ec' }],
    ['1.2.840.10045.4.3.2', { digest: 'sha256', key: 'ec' }],
    ['1.2.840.10045.4.3.3', { digest: 'sha384', key: 'ec' }],
    ['1.2.840.10045.4.3.4', { digest: 'sha512', key: 'ec' }],
  ]);
