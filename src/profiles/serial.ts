import { InvalidArgumentError } from '../errors/index.js';
/**
 * Serial-number normalisation and validity, shared by policy compilation, resolution and the
 * CSV import so that a serial always matches itself however it was typed.
 *
 * @module
 */

/**
 * Shortest and longest serial number abmkit accepts. Apple serials are 10 (randomised, 2021+),
 * 11 or 12 characters today, 8 on some very old hardware; 14 leaves headroom.
 */
export const SERIAL_LENGTH = { min: 8, max: 14 } as const;

const SERIAL_PATTERN = /^[A-Z0-9]{8,14}$/;
const WHITESPACE = /\s+/g;

/**
 * Normalise a serial number the way abmkit compares them: every whitespace character removed
 * (including inner spaces and non-breaking spaces) and letters upper-cased.
 *
 * @example
 * ```ts
 * normaliseSerial(' c02xl0abjg5h\t'); // 'C02XL0ABJG5H'
 * ```
 */
export function normaliseSerial(serial: string): string {
  if (typeof serial !== 'string') {
    throw new InvalidArgumentError(
      `normaliseSerial needs a serial number string, got ${serial === null ? 'null' : typeof serial}.`,
    );
  }
  return isNormalised(serial) ? serial : serial.replace(WHITESPACE, '').toUpperCase();
}

/**
 * @deprecated Use {@link normaliseSerial} (abmkit spells the word the British way throughout);
 * this alias goes in the next minor version.
 */
export const normalizeSerial: (serial: string) => string = normaliseSerial;

/**
 * Whether a serial certainly equals its normalised form: only printable ASCII without spaces
 * or lower-case letters. A cheap scan that lets hot paths skip the regex and the copy.
 *
 * @internal
 */
export function isNormalised(serial: string): boolean {
  for (let i = 0; i < serial.length; i++) {
    const c = serial.charCodeAt(i);
    if (c <= 32 || c >= 127 || (c >= 97 && c <= 122)) return false;
  }
  return true;
}

/**
 * Whether an already-normalised serial has the shape of an Apple serial number:
 * 8 to 14 characters, ASCII letters A–Z and digits 0–9 only.
 */
export function isValidSerial(normalized: string): boolean {
  return SERIAL_PATTERN.test(normalized);
}

/**
 * Why an already-normalised serial is invalid, or `undefined` when it is valid.
 *
 * @internal
 */
export function serialProblem(normalized: string): string | undefined {
  if (SERIAL_PATTERN.test(normalized)) return undefined;
  if (normalized.length === 0) return 'empty serial number';
  if (/[^A-Z0-9]/.test(normalized)) {
    return 'serial numbers contain only uppercase letters A-Z and digits 0-9';
  }
  return normalized.length < SERIAL_LENGTH.min
    ? `too short: serial numbers have ${SERIAL_LENGTH.min} to ${SERIAL_LENGTH.max} characters, got ${normalized.length}`
    : `too long: serial numbers have ${SERIAL_LENGTH.min} to ${SERIAL_LENGTH.max} characters, got ${normalized.length}`;
}
