import { createHash, verify } from 'node:crypto';
import { octetsOf, oidOf, sameBytes } from './asn1.js';
import { isUniversal, TAG, type Tlv } from './ber.js';
import { type BagCertificate, matchesSigner } from './certificate.js';
import { malformed, untrusted } from './fail.js';
import { DIGEST_BY_OID, OID, SIGNATURE_BY_OID } from './oids.js';
import type { ParsedSignedData, ParsedSignerInfo } from './signed-data.js';

/** What the signer check established. @internal */
export interface VerifiedSigner {
  readonly certificate: BagCertificate;
  readonly digest: string;
  readonly signedAttributes: boolean;
}

function singleValue(signer: ParsedSignerInfo, oid: string, what: string): Tlv {
  const attrs = (signer.signedAttrs ?? []).filter((a) => a.type === oid);
  if (attrs.length !== 1 || attrs[0]?.values.length !== 1) {
    untrusted(`The signed attributes must hold exactly one ${what}.`, 'digest');
  }
  return attrs[0].values[0] as Tlv;
}

function checkSignedAttributes(
  bytes: Uint8Array,
  signer: ParsedSignerInfo,
  contentType: string,
  content: Uint8Array,
  digest: string,
): void {
  const type = singleValue(signer, OID.contentType, 'content type');
  if (!isUniversal(type, TAG.oid) || oidOf(bytes, type, 'content type') !== contentType) {
    untrusted('The signed content-type attribute does not match the content.', 'digest');
  }
  const md = singleValue(signer, OID.messageDigest, 'message digest');
  if (!isUniversal(md, TAG.octetString)) untrusted('The message digest is malformed.', 'digest');
  const expected = createHash(digest).update(content).digest();
  if (!sameBytes(octetsOf(bytes, md, 'message digest'), expected)) {
    untrusted('The signed message digest does not match the MachineInfo content.', 'digest');
  }
}

/**
 * Checks that there is exactly one signer, that its certificate is in the bag, that the signed
 * attributes (when present) bind the content, and that the signature verifies. @internal
 */
export function verifySigner(
  data: ParsedSignedData,
  bag: readonly BagCertificate[],
): VerifiedSigner {
  if (data.signers.length !== 1) {
    untrusted(
      `The MachineInfo has ${data.signers.length} signers; exactly one is expected.`,
      'signers',
    );
  }
  const signer = data.signers[0] as ParsedSignerInfo;
  const certificate = bag.find((c) => matchesSigner(c, signer.sid));
  if (certificate === undefined) {
    untrusted(
      "The signer's certificate is not in the MachineInfo's certificate bag.",
      'signer-certificate',
    );
  }
  const digest = DIGEST_BY_OID.get(signer.digestOid);
  const algorithm = SIGNATURE_BY_OID.get(signer.signatureOid);
  if (digest === undefined || algorithm === undefined) {
    return malformed(
      'The MachineInfo uses a digest or signature algorithm abmkit does not support (SHA-1/SHA-2 with RSA or ECDSA).',
    );
  }
  const signedAttributes = signer.signedAttrsDer !== undefined;
  if (signedAttributes)
    checkSignedAttributes(data.bytes, signer, data.contentType, data.content, digest);
  const key = certificate.x509.publicKey;
  if (key.asymmetricKeyType !== algorithm.key) {
    untrusted("The signature algorithm does not match the signer's key.", 'signature');
  }
  const signedBytes = signer.signedAttrsDer ?? data.content;
  let ok = false;
  try {
    ok = verify(algorithm.digest ?? digest, signedBytes, key, signer.signature);
  } catch {
    ok = false;
  }
  if (!ok) untrusted('The MachineInfo signature does not verify.', 'signature');
  return { certificate, digest, signedAttributes };
}
