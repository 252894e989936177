/**
 * Deterministic, seedable randomness for the simulator. Nothing here is cryptographic: it only
 * makes device populations and session tokens reproducible from a seed.
 *
 * @internal
 * @module
 */

/** @internal Final avalanche step of MurmurHash3: spreads every input bit over the output. */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** @internal Combines two 32-bit values into a well-mixed 32-bit hash. */
export function hash2(a: number, b: number): number {
  return fmix32((a ^ Math.imul(b >>> 0, 0x9e3779b1)) + 0x7f4a7c15);
}

/** @internal Turns a numeric or string seed into a 32-bit state. */
export function seedToInt(seed: number | string): number {
  if (typeof seed === 'number' && Number.isFinite(seed)) {
    return fmix32(Math.trunc(seed) ^ Math.trunc(seed / 0x100000000));
  }
  let h = 0x811c9dc5;
  for (const ch of String(seed)) {
    h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193);
  }
  return fmix32(h);
}

/**
 * A small seeded generator (mulberry32). Same seed, same sequence.
 * @internal
 */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.#state ^ (this.#state >>> 15), 1 | this.#state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i++) out += this.int(256).toString(16).padStart(2, '0');
    return out;
  }
}
