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
    expect(set.bytes).toBe(2 ** 17 * 12);
  });

  it('refuses what is not a normalised serial', () => {
    const set = new SerialSet();
    expect(() => set.add('abcdefgh')).toThrow(TypeError);
    expect(() => set.add('A'.repeat(16))).toThrow(TypeError);
  });
});
