import { describe, expect, it } from 'vitest';
import { checkNoNul, collapsePage } from '../../../src/domain/devices.js';
import { InvalidArgumentError } from '../../../src/index.js';

describe('checkNoNul', () => {
  it('accepts ordinary devices, nested values included', () => {
    expect(() =>
      checkNoNul({ serial_number: 'A1', imei: ['1', '2'], extra: { a: { b: 'x' } } }, 'A1'),
    ).not.toThrow();
  });

  it('refuses a NUL in a field, a nested value, an array item or a key', () => {
    for (const device of [
      { serial_number: 'A1', model: 'Mac\u0000Book' },
      { serial_number: 'A1', extra: { a: { b: 'x\u0000' } } },
      { serial_number: 'A1', imei: ['1', '\u0000'] },
      { serial_number: 'A1', extra: { 'k\u0000': 1 } },
    ]) {
      expect(() => checkNoNul(device, 'A1')).toThrow(InvalidArgumentError);
    }
  });

  it('looks four levels down, no further', () => {
    expect(() => checkNoNul({ a: { b: { c: { d: '\u0000' } } } }, 'A1')).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      checkNoNul({ a: { b: { c: { d: { e: { f: '\u0000' } } } } } }, 'A1'),
    ).not.toThrow();
  });

  it('is applied to every entry of a page by collapsePage', () => {
    expect(() =>
      collapsePage([{ serial_number: 'A1' }, { serial_number: 'A2', color: '\u0000' }]),
    ).toThrow(/NUL character/);
  });
});
