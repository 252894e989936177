import { describe, expect, it } from 'vitest';
import { SerialSet } from '../../../src/api/serial-set.js';

describe('SerialSet', () => {
  it('is exact: padding, lengths and every character position count', () => {
    const set = new SerialSet();
    const serials = [
      'ABCDEFGH',
      'ABCDEFGH0',
      '0ABCDEFGH',
      'ZZZZZZZZZZZZZZ',
      'ABCDEFGHIJKL',
      'ABCDEFGHIJKL0',
      'ABCDEFGHIJKL00',
      '00000000',
      '000000000',
    ];
    for (const s of serials) expect(set.add(s)).toBe(true);
    for (const s of serials) expect(set.add(s)).toBe(false);
    expect(set.size).toBe(serials.length);
  });

  it('keeps every distinct serial while it grows', () => {
    const set = new SerialSet();
    const serial = (i: number) => `C${String(i).padStart(9, '0')}`;
    for (let i = 0; i < 50_000; i++) expect(set.add(serial(i))).toBe(true);
    for (let i = 0; i < 50_000; i += 7) expect(set.add(serial(i))).toBe(false);
    expect(set.size).toBe(50_000);
    expect(set.bytes).toBe(2 ** 16 * 8);
  });

  it('answers like a Set<string> on seeded random serials of 8 to 14 characters', () => {
    let seed = 42;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const alphabet = 'A0';
    const set = new SerialSet();
    const reference = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      const length = 8 + (next() % 7);
      for (let j = 0; j < length; j++) s += alphabet[next() % alphabet.length];
      expect(set.add(s)).toBe(!reference.has(s));
      reference.add(s);
    }
    expect(set.size).toBe(reference.size);
  });

  it('refuses what is not a normalised serial', () => {
    const set = new SerialSet();
    expect(() => set.add('abcdefgh')).toThrow(TypeError);
    expect(() => set.add('A'.repeat(19))).toThrow(TypeError);
  });
});
