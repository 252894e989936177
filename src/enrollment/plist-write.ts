import { InvalidArgumentError } from '../errors/index.js';
import type { PlistValue } from './plist-types.js';

/** Whether `text` has a character XML 1.0 cannot carry (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). */
function hasInvalidXmlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
    if (c === 0xfffe || c === 0xffff) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

function escapeXml(text: string, path: string): string {
  if (hasInvalidXmlChar(text)) {
    throw new InvalidArgumentError(
      `${path} contains a character XML cannot carry; remove control characters.`,
    );
  }
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function write(
  value: PlistValue,
  indent: string,
  path: string,
  depth: number,
  out: string[],
): void {
  if (depth > 32) throw new InvalidArgumentError(`${path} nests too deeply for a profile.`);
  if (typeof value === 'string') out.push(`${indent}<string>${escapeXml(value, path)}</string>`);
  else if (typeof value === 'boolean') out.push(`${indent}<${value}/>`);
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`${path} must be a finite number.`);
    out.push(
      Number.isInteger(value)
        ? `${indent}<integer>${value}</integer>`
        : `${indent}<real>${value}</real>`,
    );
  } else if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new InvalidArgumentError(`${path} is an invalid date.`);
    out.push(`${indent}<date>${value.toISOString().replace(/\.\d{3}Z$/, 'Z')}</date>`);
  } else if (value instanceof Uint8Array) {
    out.push(
      `${indent}<data>${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}</data>`,
    );
  } else if (Array.isArray(value)) {
    out.push(`${indent}<array>`);
    const items = value as readonly PlistValue[];
    for (let i = 0; i < items.length; i++) {
      write(items[i] as PlistValue, `${indent}\t`, `${path}[${i}]`, depth + 1, out);
    }
    out.push(`${indent}</array>`);
  } else if (typeof value === 'object' && value !== null) {
    out.push(`${indent}<dict>`);
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out.push(`${indent}\t<key>${escapeXml(k, path)}</key>`);
      write(v, `${indent}\t`, `${path}.${k}`, depth + 1, out);
    }
    out.push(`${indent}</dict>`);
  } else {
    throw new InvalidArgumentError(
      `${path} cannot be written to a property list (${typeof value}).`,
    );
  }
}

/**
 * Writes a value as an Apple XML property list (UTF-8 text). Keys whose value is `undefined` are
 * left out. Throws {@link InvalidArgumentError} for values a plist cannot carry.
 */
export function writeXmlPlist(value: PlistValue): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
  ];
  write(value, '', 'value', 0, out);
  out.push('</plist>', '');
  return out.join('\n');
}
