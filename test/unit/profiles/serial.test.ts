import { describe, expect, it } from 'vitest';
import {
  isValidSerial,
  normaliseSerial,
  normalizeSerial,
  SERIAL_LENGTH,
} from '../../../src/index.js';

describe('serial numbers', () => {
  it('normalises by removing every whitespace character and upper-casing', () => {
    expect(normaliseSerial(' c02x\tl0ab\u00a0jg5h\r\n')).toBe('C02XL0ABJG5H');
  });

  it('keeps the deprecated American spelling as the same function', () => {
    expect(normalizeSerial).toBe(normaliseSerial);
  });

  it('accepts 8 to 14 letters A-Z and digits, nothing else', () => {
    expect(SERIAL_LENGTH).toEqual({ min: 8, max: 14 });
    expect(isValidSerial('C02XL0ABJG5H')).toBe(true);
    expect(isValidSerial('ABCDEFGH')).toBe(true);
    expect(isValidSerial('ABCDEFGHIJKLMN')).toBe(true);
    expect(isValidSerial('ABCDEFG')).toBe(false);
    expect(isValidSerial('ABCDEFGHIJKLMNO')).toBe(false);
    expect(isValidSerial('c02xl0abjg5h')).toBe(false);
    expect(isValidSerial('C02X-L0ABJG5H')).toBe(false);
  });
});
