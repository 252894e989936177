/**
 * Decrypting a server token: abmkit vs a bare node:crypto baseline and node-forge.
 *
 *   node --import tsx bench/decrypt-token.ts
 *
 * The baseline does only the cryptography (raw RSA + AES-128-CBC on pre-extracted parts),
 * so the ratio shows what unwrapping, BER parsing, strict unpadding and validation cost.
 */
import { constants, createDecipheriv, createPrivateKey, privateDecrypt } from 'node:crypto';
import forge from 'node-forge';
import { encryptServerToken } from '../src/crypto/encrypt-server-token.js';
import { decryptServerToken, generateKeyPair } from '../src/crypto/index.js';
import { parseEnvelopedData } from '../src/crypto/lib/parse-enveloped-data.js';
import { unwrapTokenFile } from '../src/crypto/lib/unwrap-token-file.js';

const ITERATIONS = 400;

async function measure(name: string, fn: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 30; i++) await fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await fn();
  const perOp = (performance.now() - start) / ITERATIONS;
  console.log(`${name.padEnd(44)} ${perOp.toFixed(3).padStart(8)} ms/op`);
  return perOp;
}

const { privateKeyPem, certificatePem } = await generateKeyPair();
const file = await encryptServerToken(
  {
    consumerKey: `CK_${'a'.repeat(96)}`,
    consumerSecret: `CS_${'b'.repeat(96)}`,
    accessToken: `AT_${'c'.repeat(96)}`,
    accessSecret: `AS_${'d'.repeat(96)}`,
    accessTokenExpiry: new Date('2027-01-01T00:00:00Z'),
  },
  certificatePem,
);
const parts = parseEnvelopedData(unwrapTokenFile(file));
const recipient = parts.recipients[0];
if (recipient === undefined) throw new Error('no recipient');
const key = createPrivateKey(privateKeyPem);
const der = unwrapTokenFile(file);
const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem);

console.log(
  `node ${process.version}, RSA-2048, AES-128-CBC, S/MIME input, ${ITERATIONS} iterations\n`,
);
const baseline = await measure('baseline: raw RSA + AES only (node:crypto)', () => {
  const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, recipient.encryptedKey);
  const cek = em.subarray(em.length - 16);
  const d = createDecipheriv('aes-128-cbc', cek, parts.iv);
  return Buffer.concat([d.update(parts.ciphertext), d.final()]);
});
const parseOnly = await measure('abmkit: unwrap + BER/CMS parse only', () =>
  parseEnvelopedData(unwrapTokenFile(file)),
);
const full = await measure('abmkit: decryptServerToken (full)', () =>
  decryptServerToken(file, privateKeyPem),
);
const viaForge = await measure('node-forge: parse + decrypt (DER input)', () => {
  const p7 = forge.pkcs7.messageFromAsn1(
    forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary'))),
  ) as forge.pkcs7.PkcsEnvelopedData;
  const r = p7.recipients[0];
  if (r) p7.decrypt(r, forgeKey);
});
console.log(`\nabmkit full / baseline:   ${(full / baseline).toFixed(1)}x`);
console.log(`parse share of abmkit:    ${((parseOnly / full) * 100).toFixed(0)}%`);
console.log(`node-forge / abmkit full: ${(viaForge / full).toFixed(1)}x`);
