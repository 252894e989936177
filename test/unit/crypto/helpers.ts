import forge from 'node-forge';
import type { ServerTokenInput } from '../../../src/crypto/index.js';

/** A synthetic token whose secrets are easy to spot in any output. */
export function syntheticToken(tag = 'canary'): ServerTokenInput {
  return {
    consumerKey: `CK_${tag}_consumerkey_0123456789abcdef`,
    consumerSecret: `CS_${tag}_SECRETconsumer_9f8e7d6c5b4a`,
    accessToken: `AT_${tag}_SECRETaccess_1a2b3c4d5e6f`,
    accessSecret: `AS_${tag}_SECRETaccesssecret_a1b2c3d4`,
    accessTokenExpiry: new Date('2027-03-04T05:06:07Z'),
  };
}

/** The secret parts of a token, for "must not appear" assertions. */
export function secretFragments(token: ServerTokenInput): string[] {
  return [token.consumerSecret, token.accessToken, token.accessSecret].flatMap((s) => [
    s,
    s.slice(3, 20),
  ]);
}

/** Decrypts a BER/DER EnvelopedData with node-forge (the independent oracle). */
export function forgeDecrypt(ber: Uint8Array, privateKeyPem: string): string {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(ber).toString('binary')));
  const p7 = forge.pkcs7.messageFromAsn1(asn1) as forge.pkcs7.PkcsEnvelopedData;
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  const recipient = p7.recipients[0];
  if (recipient === undefined) throw new Error('no recipient');
  p7.decrypt(recipient, key);
  const content = (p7 as unknown as { content: forge.util.ByteStringBuffer }).content;
  return forge.util.decodeUtf8(content.getBytes());
}
