/**
 * Serial numbers for the simulated population: 12 characters from Apple's alphabet (digits and
 * upper-case letters without `I` and `O`). Five of the characters carry a bijective scramble of
 * the device's slot index, so serials are unique, look random, and map back to their slot without
 * any table (a million devices need no memory).
 *
 * Layout: 2 characters "plant", 1 "year", 5 unique, 4 "model code".
 *
 * @internal
 * @module
 */
import { hash2 } from './random.js';

/** @internal Apple's serial-number alphabet: 0-9 and A-Z without I and O. */
export const SERIAL_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const BASE = SERIAL_ALPHABET.length; // 34
/** Size of the unique-part space: 34^5 = 45,435,424 serials. */
const SPACE = BASE ** 5;
const YEAR_CHARS = 'CDFGHJKLMNPQRSTVWXYZ';

function modInverse(a: number, m: number): number {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

function mulMod(a: number, b: number, m: number): number {
  // a, b < 2^26: the product stays below 2^53.
  return (a * b) % m;
}

/** @internal Bijective mapping between slot indices and serial numbers for one seed. */
export class SerialCodec {
  readonly #seed: number;
  readonly #mult: number;
  readonly #inverse: number;
  readonly #offset: number;

  constructor(seed: number) {
    this.#seed = seed;
    // SPACE = 2^5 * 17^5, so any odd multiplier that is not a multiple of 17 is invertible.
    let mult = (hash2(seed, 1) % SPACE) | 1;
    while (mult % 17 === 0 || mult < 1000) mult = ((mult + 2) % SPACE) | 1;
    this.#mult = mult;
    this.#inverse = modInverse(mult, SPACE);
    this.#offset = hash2(seed, 2) % SPACE;
  }

  /** Largest number of distinct serials this codec can produce. */
  static readonly capacity: number = SPACE;

  /** The serial of slot `index` (0 ≤ index < 34^5). */
  serialFor(index: number, modelCode: string): string {
    let x = (mulMod(index, this.#mult, SPACE) + this.#offset) % SPACE;
    let unique = '';
    for (let i = 0; i < 5; i++) {
      unique = SERIAL_ALPHABET[x % BASE] + unique;
      x = Math.floor(x / BASE);
    }
    const h = hash2(this.#seed ^ 0x5e41a1, index);
    const plant = (SERIAL_ALPHABET[h % BASE] ?? 'C') + (SERIAL_ALPHABET[(h >>> 8) % BASE] ?? '0');
    const year = YEAR_CHARS[(h >>> 16) % YEAR_CHARS.length] ?? 'Q';
    return `${plant}${year}${unique}${modelCode}`;
  }

  /** The slot a serial would belong to, or `undefined` if it is not shaped like ours. */
  indexOf(serial: string): number | undefined {
    if (serial.length !== 12) return undefined;
    let x = 0;
    for (let i = 3; i < 8; i++) {
      const digit = SERIAL_ALPHABET.indexOf(serial[i] ?? '');
      if (digit < 0) return undefined;
      x = x * BASE + digit;
    }
    return mulMod((x - this.#offset + SPACE) % SPACE, this.#inverse, SPACE);
  }
}
