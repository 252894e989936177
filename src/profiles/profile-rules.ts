/**
 * Field rules shared by the ADE profile schema: limits, formats and message wording.
 * Every message ends with the rule's name in brackets so that callers can match on it.
 *
 * @internal
 * @module
 */

/** Local limits Apple documents for ADE profile fields (characters; `url` counts URL-encoded). */
export const PROFILE_LIMITS = {
  profile_name: 125,
  url: 2000,
  department: 125,
  support_phone_number: 50,
  support_email_address: 250,
  org_magic: 256,
} as const;

/** @internal Number of Unicode characters (code points), the unit Apple's limits count. */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** @internal Length of `value` once URL-encoded, or `Infinity` when it cannot be encoded. */
export function urlEncodedLength(value: string): number {
  try {
    return encodeURI(value).length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** @internal Whether `value` parses as an absolute URL with one of `protocols`. */
export function isUrlWithProtocol(value: string, protocols: readonly string[]): boolean {
  try {
    const parsed = new URL(value);
    return protocols.includes(parsed.protocol) && parsed.hostname.length > 0;
  } catch {
    return false;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** @internal Whether `value` is non-empty standard base64 (whitespace such as line breaks allowed). */
export function isBase64(value: string): boolean {
  const compact = value.replace(/\s+/g, '');
  return compact.length > 0 && BASE64.test(compact);
}

/** @internal ISO 639-1 (two letters) or ISO 639-2 (three letters) language code, lowercase. */
export const LANGUAGE_PATTERN: RegExp = /^[a-z]{2,3}$/;

/** @internal ISO 3166-1 alpha-2 region code, uppercase. */
export const REGION_PATTERN: RegExp = /^[A-Z]{2}$/;

/** @internal A pragmatic e-mail shape: one `@`, no whitespace, a dot in the domain. */
export const EMAIL_PATTERN: RegExp = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** @internal Describe a value's type for a message without echoing the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** @internal `['anchor_certs', 0]` → `anchor_certs[0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}
