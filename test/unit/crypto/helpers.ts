import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';
import type { ServerTokenInput } from '../../../src/crypto/index.js';

/** The repository root (three levels above this file). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The real ABM-issued token folder beside the checkout, or `undefined` when absent. */
export function appleFixtureDir(): string | undefined {
  const dir = path.resolve(repoRoot, '../shared/fixtures/apple-token');
  return existsSync(path.join(dir, 'server-token.p7m')) ? dir : undefined;
}

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

/** The secret parts of a token (whole values and distinctive inner fragments). */
export function secretFragments(token: ServerTokenInput): string[] {
  return [token.consumerSecret, token.accessToken, token.accessSecret].flatMap((s) => [
    s,
    s.slice(3, 20),
    s.slice(-12),
  ]);
}

/** The payload ABM puts inside the envelope, built independently of src/. */
export function abmPayload(token: ServerTokenInput, json?: string): string {
  const body =
    json ??
    JSON.stringify({
      consumer_key: token.consumerKey,
      consumer_secret: token.consumerSecret,
      access_token: token.accessToken,
      access_secret: token.accessSecret,
      access_token_expiry: token.accessTokenExpiry.toISOString().replace('.000Z', 'Z'),
    });
  return (
    'Content-Type: text/plain;charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n' +
    `-----BEGIN MESSAGE-----\n${body}\n-----END MESSAGE-----\n`
  );
}

/** Content ciphers node-forge can write into EnvelopedData, by forge OID name. */
export const FORGE_CIPHERS = ['aes128-CBC', 'aes192-CBC', 'aes256-CBC', 'des-EDE3-CBC'] as const;

/** Encrypts `payload` to `certificatePem` with node-forge (the independent implementation). */
export function forgeEncrypt(
  payload: string,
  certificatePem: string,
  cipher: (typeof FORGE_CIPHERS)[number] = 'aes128-CBC',
): Uint8Array {
  const p7 = forge.pkcs7.createEnvelopedData();
  p7.addRecipient(forge.pki.certificateFromPem(certificatePem));
  p7.content = forge.util.createBuffer(payload, 'raw');
  p7.encrypt(undefined, forge.pki.oids[cipher]);
  return new Uint8Array(Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary'));
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

/** Re-exports a PKCS#8 PEM key as PKCS#1 (`BEGIN RSA PRIVATE KEY`). */
export function toPkcs1(privateKeyPem: string): string {
  return createPrivateKey(privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
}

function wrap(b64: string, width: number, eol: string): string {
  return (b64.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol) + eol;
}

/** Every input shape an admin may hold, built by hand from DER bytes. */
export function inputShapes(der: Uint8Array): Record<string, string | Uint8Array> {
  const b64 = Buffer.from(der).toString('base64');
  const smime = (type: string, eol: string): string =>
    [
      `Content-Type: ${type}; name="smime.p7m"; smime-type=enveloped-data`,
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7m"',
      'Content-Description: S/MIME Encrypted Message',
      '',
      wrap(b64, 76, eol),
    ].join(eol);
  return {
    'smime LF': smime('application/pkcs7-mime', '\n'),
    'smime CRLF': smime('application/pkcs7-mime', '\r\n'),
    'x-pkcs7-mime': smime('application/x-pkcs7-mime', '\n'),
    'smime as bytes': new Uint8Array(Buffer.from(smime('application/pkcs7-mime', '\r\n'))),
    'bare base64 (one line)': b64,
    'bare base64 (wrapped)': wrap(b64, 64, '\n'),
    'PKCS7 PEM': `-----BEGIN PKCS7-----\n${wrap(b64, 64, '\n')}-----END PKCS7-----\n`,
    'DER bytes': der,
  };
}
