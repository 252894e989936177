import { constants, createPrivateKey, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptServerToken } from '../../../src/crypto/encrypt-server-token.js';
import { decryptServerToken, generateKeyPair, type KeyPair } from '../../../src/crypto/index.js';
import { type AbmErrorCode, isAbmError } from '../../../src/errors/index.js';
import { mulberry32 } from '../../support/seeded-random.js';
import { abmPayload, forgeEncrypt, secretFragments, syntheticToken } from './helpers.js';

const token = syntheticToken();
let keys: KeyPair;
let otherKeys: KeyPair;
let der: Uint8Array;
let smime: string;

beforeAll(async () => {
  [keys, otherKeys] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  der = await encryptServerToken(token, keys.certificatePem, { format: 'der' });
  smime = await encryptServerToken(token, keys.certificatePem);
});

async function failure(file: unknown, key: unknown = keys.privateKeyPem) {
  try {
    await decryptServerToken(file as string, key as string);
  } catch (error) {
    expect(isAbmError(error)).toBe(true);
    const text = `${String(error)}\n${(error as Error).stack}\n${JSON.stringify(error)}`;
    for (const fragment of secretFragments(token)) expect(text).not.toContain(fragment);
    expect((error as Error).cause).toBeUndefined();
    return error as Error & { code: AbmErrorCode };
  }
  throw new Error('expected decryptServerToken to fail');
}

async function expectCode(file: unknown, code: AbmErrorCode, key?: unknown, says?: RegExp) {
  const error = await failure(file, key);
  expect(error.code).toBe(code);
  if (says) expect(error.message).toMatch(says);
  return error;
}

/** Parses our DER, lets `edit` change the tree, and re-encodes it. */
function edit(
  source: Uint8Array,
  change: (parts: {
    ktri: asn1js.Sequence;
    eci: asn1js.Sequence;
    enveloped: asn1js.Sequence;
  }) => void,
): Uint8Array {
  const root = asn1js.fromBER(source).result as asn1js.Sequence;
  const explicit = root.valueBlock.value[1] as asn1js.Constructed;
  const enveloped = explicit.valueBlock.value[0] as asn1js.Sequence;
  const set = enveloped.valueBlock.value[1] as asn1js.Set;
  const ktri = set.valueBlock.value[0] as asn1js.Sequence;
  const eci = enveloped.valueBlock.value[2] as asn1js.Sequence;
  change({ ktri, eci, enveloped });
  return new Uint8Array(root.toBER());
}

function nested(depth: number, indefinite: boolean): Uint8Array {
  if (indefinite) {
    return new Uint8Array([
      ...Array.from({ length: depth }, () => [0x30, 0x80]).flat(),
      ...new Array(depth * 2).fill(0),
    ]);
  }
  // Built from the inside out, writing headers backwards into one buffer.
  const out = new Uint8Array(depth * 4 + 2);
  let start = out.length - 2;
  out.set([0x05, 0x00], start);
  for (let i = 0; i < depth; i++) {
    const n = out.length - start;
    const header = n < 128 ? [0x30, n] : n < 256 ? [0x30, 0x81, n] : [0x30, 0x82, n >> 8, n & 0xff];
    start -= header.length;
    out.set(header, start);
  }
  return out.subarray(start);
}

describe('decryptServerToken: the file is not a token (TOKEN_FORMAT_INVALID)', () => {
  const says = /Apple Business Manager/;

  it('an empty string, white space, or empty bytes', async () => {
    await expectCode('', 'TOKEN_FORMAT_INVALID', undefined, says);
    await expectCode(' \n\r\n ', 'TOKEN_FORMAT_INVALID', undefined, says);
    await expectCode(new Uint8Array(0), 'TOKEN_FORMAT_INVALID', undefined, says);
  });

  it('values that are neither strings nor bytes', async () => {
    for (const value of [undefined, null, 42, {}, [1, 2], new ArrayBuffer(8)]) {
      await expectCode(value, 'TOKEN_FORMAT_INVALID');
    }
  });

  it('an input over the 64 KiB cap, as text and as bytes', async () => {
    const big = 'A'.repeat(64 * 1024 + 1);
    const error = await expectCode(big, 'TOKEN_FORMAT_INVALID');
    expect(error.message).toMatch(/larger than/);
    await expectCode(new Uint8Array(64 * 1024 + 1).fill(0x30), 'TOKEN_FORMAT_INVALID');
    await expectCode(`${smime}${' '.repeat(64 * 1024)}`, 'TOKEN_FORMAT_INVALID');
  });

  it('random bytes and random text', async () => {
    // Seeded, so that a failure can be replayed: ABMKIT_TEST_SEED=<seed printed below>.
    const seed = Number(process.env['ABMKIT_TEST_SEED'] ?? 0x5eed);
    const random = mulberry32(seed);
    for (let i = 0; i < 20; i++) {
      const bytes = Uint8Array.from({ length: 600 }, () => Math.floor(random() * 256));
      bytes[0] = 0x30;
      try {
        await expectCode(bytes, 'TOKEN_FORMAT_INVALID');
      } catch (error) {
        throw new Error(`random input ${i} of seed ${seed} failed`, { cause: error });
      }
    }
    await expectCode('hello, this is not a token', 'TOKEN_FORMAT_INVALID');
    await expectCode('{"consumer_key":"CK_x"}', 'TOKEN_FORMAT_INVALID');
  });

  it('BER that makes the ASN.1 library throw (a malformed GeneralizedTime, found by fuzzing)', async () => {
    const badTime = new Uint8Array([0x30, 0x04, 0x18, 0x02, 0x7a, 0x7a]);
    await expectCode(badTime, 'TOKEN_FORMAT_INVALID', undefined, /BER decoding failed/);
  });

  it('a truncated file: S/MIME text, base64 and DER', async () => {
    await expectCode(smime.slice(0, Math.floor(smime.length / 2)), 'TOKEN_FORMAT_INVALID');
    await expectCode(smime.slice(0, smime.indexOf('\n\n') + 2), 'TOKEN_FORMAT_INVALID');
    await expectCode(smime.slice(0, smime.length - 9), 'TOKEN_FORMAT_INVALID');
    for (const cut of [1, 2, 20, 300, der.length - 3, der.length - 1]) {
      await expectCode(der.subarray(0, cut), 'TOKEN_FORMAT_INVALID');
    }
  });

  it('trailing bytes after the CMS structure', async () => {
    const trailing = new Uint8Array([...der, 0x00, 0x00, 0x05, 0x00]);
    await expectCode(trailing, 'TOKEN_FORMAT_INVALID', undefined, /after the CMS data/);
    const b64 = Buffer.from(trailing).toString('base64');
    await expectCode(b64, 'TOKEN_FORMAT_INVALID');
  });

  it('deep BER nesting, definite and indefinite, hits the depth limit', async () => {
    const cases: [number, boolean][] = [
      [30, false],
      [3000, false], // about 11 KB of definite-length nesting
      [30, true],
      [10_000, true], // 40 KB of 0x30 0x80 … 0x00 0x00
    ];
    for (const [depth, indefinite] of cases) {
      const bytes = nested(depth, indefinite);
      expect(bytes.length).toBeLessThan(64 * 1024);
      await expectCode(bytes, 'TOKEN_FORMAT_INVALID');
    }
  });

  it('MIME that is not S/MIME, or S/MIME with a broken body', async () => {
    await expectCode(smime.replace('application/pkcs7-mime', 'text/plain'), 'TOKEN_FORMAT_INVALID');
    await expectCode(smime.replace('base64', 'quoted-printable'), 'TOKEN_FORMAT_INVALID');
    await expectCode(smime.replace(/\n\n([A-Za-z])/, '\n\n!$1'), 'TOKEN_FORMAT_INVALID');
    await expectCode('Content-Type: application/pkcs7-mime\n', 'TOKEN_FORMAT_INVALID');
  });

  it('a private key or certificate passed as the token', async () => {
    await expectCode(keys.privateKeyPem, 'TOKEN_FORMAT_INVALID', undefined, /key or certificate/);
    await expectCode(keys.certificatePem, 'TOKEN_FORMAT_INVALID', undefined, /key or certificate/);
    await expectCode('-----BEGIN PKCS7-----\nMIAG', 'TOKEN_FORMAT_INVALID');
  });

  it('CMS that is not EnvelopedData', async () => {
    const signed = new asn1js.Sequence({
      value: [
        new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.2' }),
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 0 },
          value: [new asn1js.Sequence()],
        }),
      ],
    });
    await expectCode(
      new Uint8Array(signed.toBER()),
      'TOKEN_FORMAT_INVALID',
      undefined,
      /not encrypted/,
    );
    await expectCode(nested(3, false), 'TOKEN_FORMAT_INVALID');
  });

  it('an unsupported content cipher or a malformed IV', async () => {
    const gcm = edit(der, ({ eci }) => {
      eci.valueBlock.value[1] = new asn1js.Sequence({
        value: [
          new asn1js.ObjectIdentifier({ value: '2.16.840.1.101.3.4.1.6' }),
          new asn1js.OctetString({ valueHex: new Uint8Array(12) }),
        ],
      });
    });
    await expectCode(gcm, 'TOKEN_FORMAT_INVALID', undefined, /content cipher/);
    for (const iv of [new Uint8Array(8), new Uint8Array(17), new Uint8Array(0)]) {
      const badIv = edit(der, ({ eci }) => {
        const alg = eci.valueBlock.value[1] as asn1js.Sequence;
        alg.valueBlock.value[1] = new asn1js.OctetString({ valueHex: iv });
      });
      await expectCode(badIv, 'TOKEN_FORMAT_INVALID', undefined, /IV/);
    }
  });

  it('no encrypted content, or content that is not whole cipher blocks', async () => {
    const none = edit(der, ({ eci }) => {
      eci.valueBlock.value.length = 2;
    });
    await expectCode(none, 'TOKEN_FORMAT_INVALID');
    const ragged = edit(der, ({ eci }) => {
      eci.valueBlock.value[2] = new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.OctetString({ valueHex: new Uint8Array(33) })],
      });
    });
    await expectCode(ragged, 'TOKEN_FORMAT_INVALID', undefined, /truncated/);
  });

  it('no supported recipient (unknown key transport, unsupported OAEP parameters)', async () => {
    const unknown = edit(der, ({ ktri }) => {
      ktri.valueBlock.value[2] = new asn1js.Sequence({
        value: [new asn1js.ObjectIdentifier({ value: '1.2.840.10045.2.1' })],
      });
    });
    await expectCode(unknown, 'TOKEN_FORMAT_INVALID', undefined, /no RSA recipient/);
    const oaepDer = await encryptServerToken(token, keys.certificatePem, {
      format: 'der',
      keyTransport: 'rsa-oaep',
      oaepHash: 'sha256',
    });
    const mixedMgf = edit(oaepDer, ({ ktri }) => {
      const alg = ktri.valueBlock.value[2] as asn1js.Sequence;
      const params = alg.valueBlock.value[1] as asn1js.Sequence;
      params.valueBlock.value[0] = new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [
          new asn1js.Sequence({
            value: [new asn1js.ObjectIdentifier({ value: '2.16.840.1.101.3.4.2.3' })],
          }),
        ],
      });
    });
    await expectCode(mixedMgf, 'TOKEN_FORMAT_INVALID', undefined, /no RSA recipient/);
    const labelled = edit(oaepDer, ({ ktri }) => {
      const alg = ktri.valueBlock.value[2] as asn1js.Sequence;
      const params = alg.valueBlock.value[1] as asn1js.Sequence;
      params.valueBlock.value.push(
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 2 },
          value: [
            new asn1js.Sequence({
              value: [
                new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.1.9' }),
                new asn1js.OctetString({ valueHex: new Uint8Array([1, 2, 3]) }),
              ],
            }),
          ],
        }),
      );
    });
    await expectCode(labelled, 'TOKEN_FORMAT_INVALID');
  });
});

describe('decryptServerToken: cryptographic failures (TOKEN_DECRYPT_FAILED, one generic error)', () => {
  const says =
    /different key pair: download a new token from ABM|different key pair: download a new token from Apple Business Manager/;

  it('a wrong key', async () => {
    const error = await expectCode(smime, 'TOKEN_DECRYPT_FAILED', otherKeys.privateKeyPem, says);
    expect(error.name).toBe('TokenDecryptError');
  });

  it('the same error for a wrong key, a corrupted encrypted key and a corrupted last block', async () => {
    const flippedKey = edit(der, ({ ktri }) => {
      const octets = ktri.valueBlock.value[3] as asn1js.OctetString;
      const bytes = new Uint8Array(octets.getValue());
      bytes[100] = (bytes[100] ?? 0) ^ 0x01;
      ktri.valueBlock.value[3] = new asn1js.OctetString({ valueHex: bytes });
    });
    const flippedTail = new Uint8Array(der);
    // the last ciphertext byte sits just before the five end-of-contents markers (10 bytes)
    const at = flippedTail.length - 11;
    flippedTail[at] = (flippedTail[at] ?? 0) ^ 0x80;
    const shortKey = edit(der, ({ ktri }) => {
      const enc = publicEncrypt(
        { key: keys.certificatePem, padding: constants.RSA_PKCS1_PADDING },
        new Uint8Array(24),
      );
      ktri.valueBlock.value[3] = new asn1js.OctetString({ valueHex: enc });
    });
    const wrongLengthKey = edit(der, ({ ktri }) => {
      ktri.valueBlock.value[3] = new asn1js.OctetString({ valueHex: new Uint8Array(255).fill(7) });
    });
    const errors = [
      await failure(smime, otherKeys.privateKeyPem),
      await failure(flippedKey),
      await failure(flippedTail),
      await failure(shortKey),
      await failure(wrongLengthKey),
    ];
    for (const error of errors) {
      expect(error.code).toBe('TOKEN_DECRYPT_FAILED');
      expect(error.message).toBe(errors[0]?.message);
    }
  });

  it('an OAEP token with a wrong key', async () => {
    const oaep = await encryptServerToken(token, keys.certificatePem, { keyTransport: 'rsa-oaep' });
    await expectCode(oaep, 'TOKEN_DECRYPT_FAILED', otherKeys.privateKeyPem, says);
  });

  it('content that decrypts to something without a BEGIN/END MESSAGE block', async () => {
    const file = forgeEncrypt('hello world, no markers here', keys.certificatePem);
    await expectCode(file, 'TOKEN_DECRYPT_FAILED');
  });
});

describe('decryptServerToken: the payload is not valid credentials (TOKEN_PAYLOAD_INVALID)', () => {
  const base = {
    consumer_key: token.consumerKey,
    consumer_secret: token.consumerSecret,
    access_token: token.accessToken,
    access_secret: token.accessSecret,
    access_token_expiry: '2027-03-04T05:06:07Z',
  };
  const cases: [string, string, RegExp][] = [
    ['an empty credential', JSON.stringify({ ...base, consumer_secret: '' }), /consumer_secret/],
    [
      'a missing credential',
      JSON.stringify({ ...base, access_secret: undefined }),
      /access_secret/,
    ],
    [
      'a non-printable credential',
      JSON.stringify({ ...base, access_token: 'AT_\u0001x' }),
      /access_token/,
    ],
    ['a non-string credential', JSON.stringify({ ...base, consumer_key: 42 }), /consumer_key/],
    [
      'an expiry that is not RFC 3339',
      JSON.stringify({ ...base, access_token_expiry: 'next year' }),
      /expiry/,
    ],
    [
      'an impossible date',
      JSON.stringify({ ...base, access_token_expiry: '2027-13-45T99:00:00Z' }),
      /expiry/,
    ],
    ['a message that is not JSON', '{"consumer_key": CK_', /not JSON/],
    ['a JSON array', '[]', /fields/],
  ];
  for (const [name, json, mentions] of cases) {
    it(name, async () => {
      const file = forgeEncrypt(abmPayload(token, json), keys.certificatePem);
      const error = await expectCode(file, 'TOKEN_PAYLOAD_INVALID', undefined, mentions);
      expect(error.message).toMatch(/Download a new token/);
    });
  }

  it('malformed MIME headers before the message', async () => {
    const payload = `not a header line\r\n\r\n-----BEGIN MESSAGE-----\n${JSON.stringify(base)}\n-----END MESSAGE-----\n`;
    await expectCode(forgeEncrypt(payload, keys.certificatePem), 'TOKEN_PAYLOAD_INVALID');
  });
});

describe('decryptServerToken: the key is not a usable private key (PRIVATE_KEY_INVALID)', () => {
  it('a certificate passed as the key', async () => {
    await expectCode(
      smime,
      'PRIVATE_KEY_INVALID',
      keys.certificatePem,
      /certificate, not a private key/,
    );
  });

  it('public keys, encrypted keys, EC keys, garbage and non-strings', async () => {
    const pub = createPrivateKey(keys.privateKeyPem);
    const publicPem = (await import('node:crypto'))
      .createPublicKey(pub)
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const encrypted = pub
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
      .toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const cases: [unknown, RegExp][] = [
      [publicPem, /public key/],
      [encrypted, /passphrase/],
      [ec, /not an RSA key/],
      ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', /could not be parsed/],
      ['just text', /No private key/],
      ['', /non-empty/],
      [null, /non-empty/],
      [
        `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(20_000)}\n-----END PRIVATE KEY-----\n`,
        /too large/,
      ],
    ];
    for (const [key, says] of cases) {
      const error = await expectCode(smime, 'PRIVATE_KEY_INVALID', key, says);
      expect(error.message).toMatch(/private key/i);
    }
  });
});
