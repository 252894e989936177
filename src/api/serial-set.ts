/**
 * An exact set of serial numbers in typed memory, for de-duplicating a stream of serials without
 * keeping one JavaScript string per serial.
 *
 * A valid serial (8 to 14 of `A–Z0–9`) is packed losslessly into three 32-bit words (6 bits per
 * character, 5 characters per word, 0 meaning "no character"), stored in an open-addressing
 * table with linear probing, at most 3/4 full. That is 12 bytes per slot, so 16 to 32 bytes per
 * distinct serial (about 3 MB for 100,000, 25 MB for 1,000,000), against about 70 to 90 bytes
 * in a `Set<string>`. The table lives outside the JavaScript heap (an `ArrayBuffer`).
 *
 * @internal
 * @module
 */

const WORDS = 3;
const CHARS_PER_WORD = 5;
const MIN_SLOTS = 1024;

/** 1–10 for `0–9`, 11–36 for `A–Z`, 0 for anything else. */
function code(c: number): number {
  if (c >= 48 && c <= 57) return c - 47;
  if (c >= 65 && c <= 90) return c - 54;
  return 0;
}

/** @internal Exact membership of valid, normalised serial numbers. */
export class SerialSet {
  private table = new Uint32Array(MIN_SLOTS * WORDS);
  private mask = MIN_SLOTS - 1;
  private count = 0;
  private readonly key = new Uint32Array(WORDS);

  /** Distinct serials added. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /**
   * Adds a serial; `true` when it was not there yet.
   * @throws `TypeError` for a string that is not 1 to 15 characters of `A–Z0–9`.
   */
  add(serial: string): boolean {
    const key = this.key;
    key.fill(0);
    if (serial.length === 0 || serial.length > WORDS * CHARS_PER_WORD) {
      throw new TypeError('SerialSet.add: not a normalised serial number');
    }
    for (let i = 0; i < serial.length; i++) {
      const v = code(serial.charCodeAt(i));
      if (v === 0) throw new TypeError('SerialSet.add: not a normalised serial number');
      const w = (i / CHARS_PER_WORD) | 0;
      key[w] = (key[w] as number) * 64 + v;
    }
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    if (!this.insert(this.table, this.mask, key[0]!, key[1]!, key[2]!)) return false;
    this.count++;
    return true;
  }

  private insert(table: Uint32Array, mask: number, a: number, b: number, c: number): boolean {
    let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b), 0x27d4eb2d);
    h ^= h >>> 15;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = slot * WORDS;
      const x = table[at]!;
      if (x === 0) {
        table[at] = a;
        table[at + 1] = b;
        table[at + 2] = c;
        return true;
      }
      if (x === a && table[at + 1] === b && table[at + 2] === c) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    const slots = (this.mask + 1) * 2;
    const table = new Uint32Array(slots * WORDS);
    const mask = slots - 1;
    for (let at = 0; at < old.length; at += WORDS) {
      const a = old[at]!;
      if (a !== 0) this.insert(table, mask, a, old[at + 1]!, old[at + 2]!);
    }
    this.table = table;
    this.mask = mask;
  }
}
