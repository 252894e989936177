import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptServerToken } from '../../../src/crypto/encrypt-server-token.js';
import {
  decryptServerToken,
  generateKeyPair,
  type KeyPair,
  type ServerToken,
  type ServerTokenInput,
} from '../../../src/crypto/index.js';
import {
  abmPayload,
  FORGE_CIPHERS,
  forgeDecrypt,
  forgeEncrypt,
  inputShapes,
  syntheticToken,
  toPkcs1,
} from './helpers.js';

const token = syntheticToken();
let keys: KeyPair;
let pkcs1: string;

beforeAll(async () => {
  keys = await generateKeyPair();
  pkcs1 = toPkcs1(keys.privateKeyPem);
});

function expectToken(actual: ServerToken, expected: ServerTokenInput): void {
  expect(actual.consumerKey).toBe(expected.consumerKey);
  expect(actual.consumerSecret).toBe(expected.consumerSecret);
  expect(actual.accessToken).toBe(expected.accessToken);
  expect(actual.accessSecret).toBe(expected.accessSecret);
  expect(actual.accessTokenExpiry.toISOString()).toBe(expected.accessTokenExpiry.toISOString());
}

describe('decryptServerToken on files node-forge encrypted', () => {
  for (const cipher of FORGE_CIPHERS) {
    it(`reads every input shape with PKCS#8 and PKCS#1 keys (${cipher})`, async () => {
      const der = forgeEncrypt(abmPayload(token), keys.certificatePem, cipher);
      for (const [shape, file] of Object.entries(inputShapes(der))) {
        for (const key of [keys.privateKeyPem, pkcs1]) {
          const result = await decryptServerToken(file, key).catch((e: unknown) => {
            throw new Error(`${shape}: ${String(e)}`);
          });
          expectToken(result, token);
        }
      }
    });
  }

  it('accepts a JSON message split over several lines and unknown extra fields', async () => {
    const json = JSON.stringify(
      {
        consumer_key: token.consumerKey,
        consumer_secret: token.consumerSecret,
        access_token: token.accessToken,
        access_secret: token.accessSecret,
        access_token_expiry: '2027-03-04T05:06:07Z',
        org_name: 'Example Org',
      },
      null,
      2,
    );
    const der = forgeEncrypt(abmPayload(token, json), keys.certificatePem);
    expectToken(await decryptServerToken(der, keys.privateKeyPem), token);
  });

  it('accepts a payload without MIME headers and an expiry with an offset', async () => {
    const json = `{"consumer_key":"${token.consumerKey}","consumer_secret":"${token.consumerSecret}","access_token":"${token.accessToken}","access_secret":"${token.accessSecret}","access_token_expiry":"2027-03-04T07:06:07+02:00"}`;
    const payload = `-----BEGIN MESSAGE-----\r\n${json}\r\n-----END MESSAGE-----\r\n`;
    const der = forgeEncrypt(payload, keys.certificatePem, 'aes256-CBC');
    expectToken(await decryptServerToken(der, keys.privateKeyPem), token);
  });
});

describe('decryptServerToken on files abmkit encrypted', () => {
  const variants = [
    { contentCipher: 'aes-128-cbc', keyTransport: 'rsa-pkcs1' },
    { contentCipher: 'aes-192-cbc', keyTransport: 'rsa-pkcs1' },
    { contentCipher: 'aes-256-cbc', keyTransport: 'rsa-pkcs1' },
    { contentCipher: 'des-ede3-cbc', keyTransport: 'rsa-pkcs1' },
    { contentCipher: 'aes-128-cbc', keyTransport: 'rsa-oaep' },
    { contentCipher: 'aes-192-cbc', keyTransport: 'rsa-oaep' },
    { contentCipher: 'aes-256-cbc', keyTransport: 'rsa-oaep', oaepHash: 'sha256' },
    { contentCipher: 'des-ede3-cbc', keyTransport: 'rsa-oaep', oaepHash: 'sha512' },
  ] as const;

  for (const options of variants) {
    const label = `${options.keyTransport}${'oaepHash' in options ? `/${options.oaepHash}` : ''} + ${options.contentCipher}`;
    it(`round-trips ${label} in every format`, async () => {
      for (const format of ['smime', 'pem', 'base64', 'der'] as const) {
        for (const lineEnding of ['lf', 'crlf'] as const) {
          const file = await encryptServerToken(token, keys.certificatePem, {
            ...options,
            format,
            lineEnding,
          });
          expectToken(await decryptServerToken(file, pkcs1), token);
        }
      }
    });
  }

  it('produces PKCS#1 v1.5 files that node-forge decrypts to the same payload', async () => {
    for (const contentCipher of ['aes-128-cbc', 'aes-192-cbc', 'des-ede3-cbc'] as const) {
      const der = await encryptServerToken(token, keys.certificatePem, {
        format: 'der',
        contentCipher,
      });
      expect(forgeDecrypt(der, keys.privateKeyPem)).toBe(abmPayload(token));
    }
  });

  it('reads multi-chunk encrypted content (long credentials)', async () => {
    const long = { ...token, consumerKey: `CK_${'k'.repeat(1500)}` };
    const file = await encryptServerToken(long, keys.certificatePem);
    expectToken(await decryptServerToken(file, keys.privateKeyPem), long);
  });

  it('reads primitive and nested-constructed encrypted content as well as chunks', async () => {
    const der = await encryptServerToken(token, keys.certificatePem, { format: 'der' });
    const reshape = (make: (ciphertext: Uint8Array) => asn1js.AsnType): Uint8Array => {
      const root = asn1js.fromBER(der).result as asn1js.Sequence;
      const explicit = root.valueBlock.value[1] as asn1js.Constructed;
      const enveloped = explicit.valueBlock.value[0] as asn1js.Sequence;
      const eci = enveloped.valueBlock.value[2] as asn1js.Sequence;
      const content = eci.valueBlock.value[2] as asn1js.Constructed;
      const ciphertext = Buffer.concat(
        content.valueBlock.value.map((c) => new Uint8Array((c as asn1js.OctetString).getValue())),
      );
      eci.valueBlock.value[2] = make(ciphertext);
      return new Uint8Array(root.toBER());
    };
    const primitive = reshape(
      (ct) => new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: ct }),
    );
    const nested = reshape(
      (ct) =>
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 0 },
          value: [
            new asn1js.OctetString({
              isConstructed: true,
              value: [
                new asn1js.OctetString({ valueHex: ct.subarray(0, 7) }),
                new asn1js.OctetString({ valueHex: ct.subarray(7) }),
              ],
            }),
          ],
        }),
    );
    expectToken(await decryptServerToken(primitive, keys.privateKeyPem), token);
    expectToken(await decryptServerToken(nested, keys.privateKeyPem), token);
  });

  it('finds our recipient among several', async () => {
    const other = await generateKeyPair();
    const forOther = forgeEncrypt(abmPayload(token), other.certificatePem);
    await expect(decryptServerToken(forOther, keys.privateKeyPem)).rejects.toMatchObject({
      code: 'TOKEN_DECRYPT_FAILED',
    });
    // node-forge can address two recipients in one envelope
    const forge = (await import('node-forge')).default;
    const p7 = forge.pkcs7.createEnvelopedData();
    p7.addRecipient(forge.pki.certificateFromPem(other.certificatePem));
    p7.addRecipient(forge.pki.certificateFromPem(keys.certificatePem));
    p7.content = forge.util.createBuffer(abmPayload(token), 'raw');
    p7.encrypt();
    const der = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
    expectToken(await decryptServerToken(der, keys.privateKeyPem), token);
    expectToken(await decryptServerToken(der, other.privateKeyPem), token);
  });
});

describe('decryptServerToken on files openssl encrypted (independent OAEP oracle)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'abmkit-openssl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function openssl(args: string[], input?: string | Uint8Array): Buffer {
    return execFileSync('openssl', args, { input, cwd: dir });
  }

  it('reads S/MIME (x-pkcs7-mime, streamed BER) and OAEP files written by openssl cms', async () => {
    writeFileSync(join(dir, 'cert.pem'), keys.certificatePem);
    writeFileSync(join(dir, 'key.pem'), keys.privateKeyPem);
    const payload = abmPayload(token);
    const cases: string[][] = [
      ['-aes-128-cbc', '-outform', 'SMIME', '-stream'],
      ['-des3', '-outform', 'PEM'],
      ['-aes-256-cbc', '-outform', 'DER', '-keyopt', 'rsa_padding_mode:oaep'],
      [
        '-aes-192-cbc',
        '-outform',
        'DER',
        '-keyopt',
        'rsa_padding_mode:oaep',
        '-keyopt',
        'rsa_oaep_md:sha256',
      ],
    ];
    for (const extra of cases) {
      const out = openssl(['cms', '-encrypt', '-binary', '-recip', 'cert.pem', ...extra], payload);
      const file = extra.includes('DER') ? new Uint8Array(out) : out.toString('utf8');
      expectToken(await decryptServerToken(file, keys.privateKeyPem), token);
    }
  });

  it('writes OAEP files that openssl cms decrypts to the exact payload', async () => {
    writeFileSync(join(dir, 'key.pem'), keys.privateKeyPem);
    for (const oaepHash of ['sha1', 'sha256'] as const) {
      const der = await encryptServerToken(token, keys.certificatePem, {
        format: 'der',
        keyTransport: 'rsa-oaep',
        oaepHash,
      });
      const out = openssl(
        ['cms', '-decrypt', '-binary', '-inform', 'DER', '-inkey', 'key.pem'],
        der,
      );
      expect(out.toString('utf8')).toBe(abmPayload(token));
    }
  });
});
