import { createHash, createPrivateKey, type KeyObject, sign, verify } from 'node:crypto';
import { InvalidArgumentError } from '../errors/index.js';
import { readAnchors, readCertificate } from './certificate.js';
import {
  derContext,
  derNull,
  derOctets,
  derOid,
  derSequence,
  derSetOf,
  derSmallInt,
  derUtcTime,
  tlv,
} from './der.js';
import { OID, OID_BY_DIGEST } from './oids.js';

/** Options of {@link signCms}. @internal */
export interface SignCmsOptions {
  certificatePem: string;
  privateKeyPem: string | KeyObject;
  /** Further certificates for the bag (intermediates). */
  chainPem?: readonly string[] | undefined;
  digest?: 'sha1' | 'sha256' | 'sha384' | 'sha512' | undefined;
  /** Include signed attributes (contentType, signingTime, messageDigest). @default true */
  signedAttributes?: boolean | undefined;
  /** Signing time in the signed attributes. */
  signingTime?: Date | undefined;
}

const ECDSA_OID: Readonly<Record<string, string>> = {
  sha1: '1.2.840.10045.4.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};

function attribute(oid: string, value: Uint8Array): Buffer {
  return derSequence(derOid(oid), derSetOf(value));
}

/**
 * CMS SignedData (RFC 5652) over `content`, attached, DER, one signer identified by issuer and
 * serial, certificate (and chain) in the bag. RSA PKCS#1 v1.5 or ECDSA. @internal
 */
export function signCms(content: Uint8Array, options: SignCmsOptions): Uint8Array {
  const advice = 'Pass the PEM certificate and the PEM private key of the same key pair.';
  const [cert] = readAnchors([options.certificatePem]);
  if (cert === undefined) throw new InvalidArgumentError(`No signing certificate. ${advice}`);
  let key: KeyObject;
  try {
    key =
      typeof options.privateKeyPem === 'string'
        ? createPrivateKey(options.privateKeyPem)
        : options.privateKeyPem;
  } catch {
    throw new InvalidArgumentError(`The signing private key could not be read. ${advice}`);
  }
  const digest = options.digest ?? 'sha256';
  const digestAlg = derSequence(derOid(OID_BY_DIGEST.get(digest) as string), derNull());
  const keyType = key.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') {
    throw new InvalidArgumentError(`Only RSA and EC signing keys are supported. ${advice}`);
  }
  const sigAlg =
    keyType === 'rsa'
      ? derSequence(derOid(OID.rsaEncryption), derNull())
      : derSequence(derOid(ECDSA_OID[digest] as string));
  const parsed = readCertificate(new Uint8Array(cert.raw), undefined, 'The signing certificate');
  const sid = derSequence(parsed.issuer, tlv(0x02, parsed.serial));
  let signedAttrs: Buffer | undefined;
  let toSign: Uint8Array = content;
  if (options.signedAttributes !== false) {
    const attrs = [
      attribute(OID.contentType, derOid(OID.data)),
      attribute(OID.signingTime, derUtcTime(options.signingTime ?? new Date())),
      attribute(OID.messageDigest, derOctets(createHash(digest).update(content).digest())),
    ];
    const set = derSetOf(...attrs);
    toSign = set;
    signedAttrs = Buffer.concat([Buffer.from([0xa0]), set.subarray(1)]);
  }
  const signature = sign(digest, toSign, key);
  if (!verify(digest, toSign, cert.publicKey, signature)) {
    throw new InvalidArgumentError(
      `The private key does not match the signing certificate. ${advice}`,
    );
  }
  const signerInfo = derSequence(
    derSmallInt(1),
    sid,
    digestAlg,
    ...(signedAttrs === undefined ? [] : [signedAttrs]),
    sigAlg,
    derOctets(signature),
  );
  const chain = options.chainPem === undefined ? [] : readAnchors(options.chainPem);
  const certs = [cert, ...chain].map((c) => new Uint8Array(c.raw));
  const signedData = derSequence(
    derSmallInt(1),
    derSetOf(digestAlg),
    derSequence(derOid(OID.data), derContext(0, derOctets(content))),
    derContext(0, ...certs),
    derSetOf(signerInfo),
  );
  return new Uint8Array(derSequence(derOid(OID.signedData), derContext(0, signedData)));
}
