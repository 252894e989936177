import { inspect } from 'node:util';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptServerToken } from '../../../src/crypto/encrypt-server-token.js';
import { decryptServerToken, generateKeyPair, type KeyPair } from '../../../src/crypto/index.js';
import { isAbmError } from '../../../src/errors/index.js';
import { secretFragments, syntheticToken } from './helpers.js';

const token = syntheticToken('fuzz');
const fragments = secretFragments(token);
const ALLOWED = new Set(['TOKEN_FORMAT_INVALID', 'TOKEN_DECRYPT_FAILED', 'TOKEN_PAYLOAD_INVALID']);

let keys: KeyPair;
let bases: Uint8Array[];
let smime: string;

beforeAll(async () => {
  keys = await generateKeyPair();
  bases = await Promise.all([
    encryptServerToken(token, keys.certificatePem, { format: 'der' }),
    encryptServerToken(token, keys.certificatePem, {
      format: 'der',
      contentCipher: 'des-ede3-cbc',
    }),
    encryptServerToken(token, keys.certificatePem, { format: 'der', keyTransport: 'rsa-oaep' }),
  ]);
  smime = await encryptServerToken(token, keys.certificatePem);
});

/** Decrypts and checks the outcome is the right token or a clean AbmError. Returns the outcome kind. */
async function check(file: string | Uint8Array): Promise<string> {
  try {
    const result = await decryptServerToken(file, keys.privateKeyPem);
    expect(result.consumerKey).toBe(token.consumerKey);
    expect(result.consumerSecret).toBe(token.consumerSecret);
    expect(result.accessToken).toBe(token.accessToken);
    expect(result.accessSecret).toBe(token.accessSecret);
    expect(result.accessTokenExpiry.getTime()).toBe(token.accessTokenExpiry.getTime());
    return 'token';
  } catch (error) {
    if (!isAbmError(error) || !ALLOWED.has(error.code)) {
      throw new Error(`unexpected failure: ${inspect(error)}`);
    }
    const text = [
      error.message,
      error.stack,
      JSON.stringify(error),
      inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    ].join('\n');
    for (const fragment of fragments) {
      if (text.includes(fragment)) throw new Error(`secret fragment leaked via ${error.code}`);
    }
    expect(error.cause).toBeUndefined();
    return error.code;
  }
}

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; flips: [number, number][] }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<{ base: number; m: Mutation; p: number }> = fc.record({
  base: fc.nat({ max: 2 }),
  p: position,
  m: fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('flip' as const),
      flips: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 7 })), { minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 8 }),
    }),
    fc.record({
      kind: fc.constant('overwrite' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
    }),
  ),
});

function apply(source: Uint8Array, m: Mutation, p: number): Uint8Array {
  const bytes = new Uint8Array(source);
  const at = (seed: number) => (Math.floor(p * bytes.length) + seed) % bytes.length;
  switch (m.kind) {
    case 'truncate':
      return bytes.subarray(0, at(m.at));
    case 'flip':
      for (const [seed, bit] of m.flips) {
        const i = at(seed);
        bytes[i] = (bytes[i] ?? 0) ^ (1 << bit);
      }
      return bytes;
    case 'insert': {
      const i = at(m.at);
      return new Uint8Array([...bytes.subarray(0, i), ...m.bytes, ...bytes.subarray(i)]);
    }
    case 'delete': {
      const i = at(m.at);
      return new Uint8Array([...bytes.subarray(0, i), ...bytes.subarray(i + m.count)]);
    }
    case 'overwrite':
      bytes.set(m.bytes.subarray(0, bytes.length - at(m.at)), at(m.at));
      return bytes;
  }
}

describe('decryptServerToken under mutation (fuzz)', () => {
  it('every truncation of a DER token is a format error', async () => {
    const der = bases[0] ?? new Uint8Array();
    for (let cut = 0; cut < der.length; cut++) {
      expect(await check(der.subarray(0, cut))).toBe('TOKEN_FORMAT_INVALID');
    }
  });

  it('thousands of mutated DER tokens yield the right token or an AbmError, never a leak', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(mutation, async ({ base, m, p }) => {
        const kind = await check(apply(bases[base] ?? new Uint8Array(), m, p));
        outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
      }),
      { numRuns: 2000, seed: 20_250_117 },
    );
    // the mutations reach every layer: the parser, the cryptography and (some) unharmed tokens
    expect(outcomes.get('TOKEN_FORMAT_INVALID')).toBeGreaterThan(100);
    expect(outcomes.get('TOKEN_DECRYPT_FAILED')).toBeGreaterThan(10);
    expect(outcomes.get('token')).toBeGreaterThan(10);
  });

  it('mutated S/MIME text (character edits, line-ending changes) behaves the same', async () => {
    const charEdit = fc.record({
      p: position,
      op: fc.constantFrom('replace', 'insert', 'delete'),
      ch: fc.constantFrom('A', '/', '+', '=', '\n', '\r\n', ' ', '-', ':', '\u00e9', '\u0000'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(charEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
        let text = smime;
        for (const { p, op, ch } of edits) {
          const i = Math.floor(p * text.length);
          text =
            op === 'insert'
              ? text.slice(0, i) + ch + text.slice(i)
              : op === 'delete'
                ? text.slice(0, i) + text.slice(i + 1)
                : text.slice(0, i) + ch + text.slice(i + 1);
        }
        await check(text);
      }),
      { numRuns: 800, seed: 42 },
    );
  });
});
