import { describe, expect, it } from 'vitest';
import { unpadPkcs1v15 } from '../../../src/crypto/lib/rsa-unpad.js';

const K = 256; // RSA-2048 block
const L = 16; // AES-128 key

function block(opts: { first?: number; second?: number; sep?: number; zeroPadAt?: number } = {}) {
  const em = new Uint8Array(K);
  em[0] = opts.first ?? 0x00;
  em[1] = opts.second ?? 0x02;
  for (let i = 2; i < K - L - 1; i++) em[i] = ((i * 7) % 255) + 1; // non-zero padding
  if (opts.zeroPadAt !== undefined) em[opts.zeroPadAt] = 0;
  em[K - L - 1] = opts.sep ?? 0x00;
  for (let i = 0; i < L; i++) em[K - L + i] = 0xa0 + i;
  return em;
}
const key = Uint8Array.from({ length: L }, (_, i) => 0xa0 + i);

describe('unpadPkcs1v15 (strict, implicit rejection)', () => {
  it('returns the key from a well-formed block', () => {
    expect(unpadPkcs1v15(block(), L)).toEqual(key);
  });

  it('accepts a key with zero bytes in it (only the separator position matters)', () => {
    const em = block();
    em[K - 1] = 0;
    em[K - L] = 0;
    const out = unpadPkcs1v15(em, L);
    expect(out[0]).toBe(0);
    expect(out[L - 1]).toBe(0);
    expect(Array.from(out.subarray(1, L - 1))).toEqual(Array.from(key.subarray(1, L - 1)));
  });

  const bad: [string, Uint8Array, number][] = [
    ['first byte not 0x00', block({ first: 0x01 }), L],
    ['second byte not 0x02 (0x01: signature padding)', block({ second: 0x01 }), L],
    ['no zero separator where the key length puts it', block({ sep: 0x05 }), L],
    ['a zero byte inside the padding (key would be longer)', block({ zeroPadAt: 40 }), L],
    ['a zero byte as the first padding byte', block({ zeroPadAt: 2 }), L],
    ['a zero byte as the last padding byte', block({ zeroPadAt: K - L - 2 }), L],
    ['a block too short for 8 padding bytes', block().subarray(0, L + 10), L],
    ['expected key longer than the block carries', block(), 32],
    ['an all-zero block', new Uint8Array(K), L],
  ];
  for (const [name, em, len] of bad) {
    it(`rejects ${name} with a random key of the expected length`, () => {
      const a = unpadPkcs1v15(em, len);
      const b = unpadPkcs1v15(em, len);
      expect(a).toHaveLength(len);
      expect(a).not.toEqual(key);
      expect(a).not.toEqual(b); // fresh randomness each time, never a fixed fallback
    });
  }

  it('accepts exactly 8 padding bytes (the minimum)', () => {
    const em = new Uint8Array(L + 11);
    em[1] = 2;
    em.fill(0xff, 2, 10);
    em.set(key, 11);
    expect(unpadPkcs1v15(em, L)).toEqual(key);
  });
});
