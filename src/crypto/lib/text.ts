import type { LineEnding } from '../types.js';

/** The line terminator for a {@link LineEnding}. @internal */
export function eol(lineEnding: LineEnding): string {
  return lineEnding === 'crlf' ? '\r\n' : '\n';
}

/** Base64 of `bytes`, wrapped at `width` characters, every line terminated by `newline`. @internal */
export function wrapBase64(bytes: Uint8Array, width: number, newline: string): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += width) out += b64.slice(i, i + width) + newline;
  return out;
}

/** Whether `text` is made of base64 characters and white space only. @internal */
export function isBase64Text(text: string): boolean {
  return /^[A-Za-z0-9+/=\s]*$/.test(text);
}

/**
 * Decodes base64 strictly: white space is ignored, anything else outside the alphabet, bad
 * padding or a length that is not a multiple of four yields `undefined`. @internal
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** The base64 body of the first `-----BEGIN <label>-----` block, if there is one. @internal */
export function pemBody(text: string, labels: readonly string[]): string | undefined {
  for (const label of labels) {
    const begin = `-----BEGIN ${label}-----`;
    const end = `-----END ${label}-----`;
    const start = text.indexOf(begin);
    if (start < 0) continue;
    const stop = text.indexOf(end, start + begin.length);
    if (stop < 0) return undefined;
    return text.slice(start + begin.length, stop);
  }
  return undefined;
}
