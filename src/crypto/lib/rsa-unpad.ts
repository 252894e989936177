import { randomBytes } from 'node:crypto';

/**
 * Strict, constant-shape RSAES-PKCS1-v1_5 unpadding of a raw RSA block `em` (as returned by
 * `privateDecrypt` with `RSA_NO_PADDING`), for a key of exactly `keyLength` bytes:
 * `0x00 0x02 PS 0x00 K` with PS at least 8 non-zero bytes and `K` exactly `keyLength` long.
 *
 * Implicit rejection: the function always returns `keyLength` bytes. When the padding is
 * wrong it returns random bytes instead of the key, chosen without a data-dependent branch,
 * so the caller carries on identically and fails later at the content cipher. Every byte of
 * `em` is examined whatever its value. JavaScript gives no timing guarantee; this is best effort.
 * @internal
 */
export function unpadPkcs1v15(em: Uint8Array, keyLength: number): Uint8Array {
  const k = em.length;
  const random = randomBytes(keyLength);
  const out = new Uint8Array(keyLength);
  const separator = k - keyLength - 1;
  // good stays 0xff only if every check passes; each check ANDs in a 0x00/0xff mask.
  let good = k >= keyLength + 11 ? 0xff : 0;
  good &= isZeroMask(em[0] ?? 1);
  good &= isZeroMask((em[1] ?? 0) ^ 0x02);
  for (let i = 2; i < k; i++) {
    const byte = em[i]!; // i < k
    const inPad = ltMask(i, separator); // 2 <= i < separator: must be non-zero
    // i === separator: must be zero. Compare the whole index, not its low byte: blocks of
    // 3072- and 4096-bit keys are longer than 256 bytes.
    const atSep = eqMask(i, separator);
    good &= ~(inPad & isZeroMask(byte)) & 0xff;
    good &= ~(atSep & ~isZeroMask(byte)) & 0xff;
  }
  for (let i = 0; i < keyLength; i++) {
    const byte = em[k - keyLength + i] ?? 0;
    out[i] = (byte & good) | (random[i]! & ~good & 0xff); // random has keyLength bytes
  }
  random.fill(0);
  return out;
}

/** 0xff when `x` (0..255) is zero, else 0x00, without branching. */
function isZeroMask(x: number): number {
  return ((((x & 0xff) - 1) >>> 8) & 0xff) as number;
}

/** 0xff when `a === b` (integers with |a ^ b| below 2^31), else 0x00, without branching. */
function eqMask(a: number, b: number): number {
  return (((a ^ b) - 1) >>> 31) * 0xff;
}

/** 0xff when `a < b` (non-negative integers below 2^30), else 0x00, without branching. */
function ltMask(a: number, b: number): number {
  return ((a - b) >>> 31) * 0xff;
}
