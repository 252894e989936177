/**
 * An exact set of serial numbers in typed memory, for de-duplicating a stream of serials without
 * keeping one JavaScript string per serial.
 *
 * A valid serial (1 to 18 of `A–Z0–9`) is packed losslessly into 32-bit words, 6 characters per
 * word in base 37 (0 meaning "no character"): two words for up to 12 characters (every Apple
 * serial today: 8, 10, 11 or 12), three beyond. Each size has an open-addressing table with
 * linear probing, at most 4/5 full, doubling as it fills: 8 bytes per slot, so 10 to 20 bytes
 * per distinct serial (measured beside a `Set<string>` by bench/assign-csv.ts). The tables live
 * outside the JavaScript heap (`ArrayBuffer`s), so garbage collection never walks them.
 *
 * @internal
 * @module
 */

const CHARS_PER_WORD = 6;
const MIN_SLOTS = 1024;

/** 1–10 for `0–9`, 11–36 for `A–Z`, 0 for anything else. */
function code(c: number): number {
  if (c >= 48 && c <= 57) return c - 47;
  if (c >= 65 && c <= 90) return c - 54;
  return 0;
}

/** Open addressing over keys of `words` 32-bit words; a key's first word is never 0. */
class Table {
  private slots: Uint32Array;
  private mask = MIN_SLOTS - 1;
  size = 0;

  constructor(private readonly words: number) {
    this.slots = new Uint32Array(MIN_SLOTS * words);
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  add(key: Uint32Array): boolean {
    if ((this.size + 1) * 5 > (this.mask + 1) * 4) this.grow();
    if (!Table.insert(this.slots, this.mask, this.words, key, 0)) return false;
    this.size++;
    return true;
  }

  private static insert(
    slots: Uint32Array,
    mask: number,
    words: number,
    key: Uint32Array,
    from: number,
  ): boolean {
    let h = 0x811c9dc5;
    for (let w = 0; w < words; w++) h = Math.imul(h ^ key[from + w]!, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = slot * words;
      if (slots[at] === 0) {
        for (let w = 0; w < words; w++) slots[at + w] = key[from + w]!;
        return true;
      }
      let same = true;
      for (let w = 0; w < words && same; w++) same = slots[at + w] === key[from + w];
      if (same) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    const count = (this.mask + 1) * 2;
    const slots = new Uint32Array(count * this.words);
    for (let at = 0; at < old.length; at += this.words) {
      if (old[at] !== 0) Table.insert(slots, count - 1, this.words, old, at);
    }
    this.slots = slots;
    this.mask = count - 1;
  }
}

/** @internal Exact membership of valid, normalised serial numbers. */
export class SerialSet {
  private readonly short = new Table(2);
  private long: Table | undefined;
  private readonly key = new Uint32Array(3);

  /** Distinct serials added. */
  get size(): number {
    return this.short.size + (this.long?.size ?? 0);
  }

  /** Bytes held by the tables. */
  get bytes(): number {
    return this.short.bytes + (this.long?.bytes ?? 0);
  }

  /**
   * Adds a serial; `true` when it was not there yet.
   * @throws `TypeError` for a string that is not 1 to 18 characters of `A–Z0–9`.
   */
  add(serial: string): boolean {
    const key = this.key;
    key.fill(0);
    if (serial.length === 0 || serial.length > 3 * CHARS_PER_WORD) {
      throw new TypeError('SerialSet.add: not a normalised serial number');
    }
    for (let i = 0; i < serial.length; i++) {
      const v = code(serial.charCodeAt(i));
      if (v === 0) throw new TypeError('SerialSet.add: not a normalised serial number');
      const w = (i / CHARS_PER_WORD) | 0;
      key[w] = key[w]! * 37 + v;
    }
    if (serial.length <= 2 * CHARS_PER_WORD) return this.short.add(key);
    this.long ??= new Table(3);
    return this.long.add(key);
  }
}
