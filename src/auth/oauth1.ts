import { createHmac, randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../errors/index.js';

/** Input of {@link oauth1Header}: the request to sign and the four server-token credentials. */
export interface OAuth1HeaderInput {
  /** HTTP method, e.g. `GET`. Upper-cased before signing. */
  method: string;
  /** Absolute request URL. Query parameters, if any, are signed too. */
  url: string;
  /** OAuth consumer key (`CK_…`). */
  consumerKey: string;
  /** OAuth consumer secret (`CS_…`). Only used as HMAC key material. */
  consumerSecret: string;
  /** OAuth access token (`AT_…`). */
  accessToken: string;
  /** OAuth access secret (`AS_…`). Only used as HMAC key material. */
  accessSecret: string;
  /** Nonce. @default 16 random bytes from a CSPRNG, hex-encoded. */
  nonce?: string;
  /** Unix time in seconds. @default the current time. */
  timestamp?: number | string;
  /** Optional `realm` (not signed). Apple works with or without one. */
  realm?: string;
}

/** Request parameters for {@link oauth1SignatureBaseString}: name/value pairs (repeats allowed) or a record. */
export type OAuth1Params =
  | ReadonlyArray<readonly [string, string]>
  | Readonly<Record<string, string>>;

const encoder = new TextEncoder();

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

/**
 * Percent-encodes a string as RFC 5849 §3.6 requires: UTF-8 bytes, every byte outside the RFC 3986
 * unreserved set (`A-Z a-z 0-9 - . _ ~`) becomes `%XX` with upper-case hex. Space is `%20`, never `+`.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of encoder.encode(value)) {
    out += isUnreserved(byte)
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InvalidArgumentError(
      'OAuth1 signing needs an absolute URL (e.g. https://host/path).',
      { cause },
    );
  }
  // RFC 5849 §3.4.1.2 defines the base string URI for http and https only.
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidArgumentError(
      `OAuth1 signing needs an http or https URL, got "${parsed.protocol}".`,
    );
  }
  return parsed;
}

/** RFC 5849 §3.4.1.2: scheme and host lower-case, default port dropped, no query or fragment. */
function baseStringUri(url: URL): string {
  const scheme = url.protocol.toLowerCase();
  const defaultPort =
    (scheme === 'http:' && url.port === '80') || (scheme === 'https:' && url.port === '443');
  const port = url.port === '' || defaultPort ? '' : `:${url.port}`;
  return `${scheme}//${url.hostname.toLowerCase()}${port}${url.pathname}`;
}

function toPairs(params: OAuth1Params): (readonly [string, string])[] {
  return Array.isArray(params)
    ? [...(params as ReadonlyArray<readonly [string, string]>)]
    : Object.entries(params as Record<string, string>);
}

/**
 * Builds the RFC 5849 §3.4.1 signature base string: `METHOD&enc(base URI)&enc(normalized params)`.
 * `params` are the protocol (`oauth_*`) parameters plus any form-body parameters; query parameters
 * are read from `url`. `oauth_signature` and `realm` are excluded, as the RFC requires.
 *
 * The result embeds credentials' public parts only, but never log it.
 */
export function oauth1SignatureBaseString(
  method: string,
  url: string,
  params: OAuth1Params,
): string {
  const parsed = parseUrl(url);
  const pairs: [string, string][] = [];
  for (const [k, v] of parsed.searchParams) pairs.push([percentEncode(k), percentEncode(v)]);
  for (const [k, v] of toPairs(params)) {
    if (k === 'oauth_signature' || k === 'realm') continue;
    pairs.push([percentEncode(k), percentEncode(v)]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const normalized = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  return `${method.toUpperCase()}&${percentEncode(baseStringUri(parsed))}&${percentEncode(normalized)}`;
}

/**
 * HMAC-SHA1 signature (RFC 5849 §3.4.2), base64-encoded (not yet percent-encoded).
 * The key is `enc(consumerSecret)&enc(accessSecret)`.
 */
export function oauth1Signature(
  baseString: string,
  consumerSecret: string,
  accessSecret: string,
): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(accessSecret)}`;
  return createHmac('sha1', key).update(baseString, 'utf8').digest('base64');
}

/**
 * Returns the `Authorization` header value for an OAuth 1.0a HMAC-SHA1 request, e.g.
 * `OAuth oauth_consumer_key="CK_…", oauth_token="AT_…", …, oauth_signature="…"`.
 *
 * Pure apart from the defaults: pass `nonce` and `timestamp` to make the output deterministic.
 * The returned value is a credential: never log it.
 *
 * @example
 * ```ts
 * const authorization = oauth1Header({ method: 'GET', url: 'https://mdmenrollment.apple.com/session',
 *   consumerKey, consumerSecret, accessToken, accessSecret });
 * ```
 */
export function oauth1Header(input: OAuth1HeaderInput): string {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  if (!/^\d+$/.test(timestamp)) {
    throw new InvalidArgumentError('OAuth1 timestamp must be a non-negative integer of seconds.');
  }
  const oauth: [string, string][] = [
    ['oauth_consumer_key', input.consumerKey],
    ['oauth_token', input.accessToken],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', timestamp],
    ['oauth_nonce', input.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_version', '1.0'],
  ];
  const base = oauth1SignatureBaseString(input.method, input.url, oauth);
  oauth.push(['oauth_signature', oauth1Signature(base, input.consumerSecret, input.accessSecret)]);
  const parts = oauth.map(([k, v]) => `${k}="${percentEncode(v)}"`);
  if (input.realm !== undefined) parts.unshift(`realm="${input.realm.replace(/["\\]/g, '')}"`);
  return `OAuth ${parts.join(', ')}`;
}

function decodeValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Parses an `Authorization: OAuth …` header value into its parameters, percent-decoded
 * (`realm` included when present). Throws {@link InvalidArgumentError} if it is not an OAuth header.
 */
export function parseOAuth1Header(header: string): Record<string, string> {
  const match = /^\s*OAuth\s+/i.exec(header);
  if (!match)
    throw new InvalidArgumentError(
      'Not an OAuth Authorization header (expected "OAuth k=\\"v\\", …").',
    );
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"\s*(?:,|$)/gy;
  const body = header.slice(match[0].length);
  let consumed = 0;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) {
    out[decodeValue(String(m[1]))] = decodeValue(String(m[2]));
    consumed = re.lastIndex;
    if (consumed >= body.length) break;
  }
  if (body.slice(consumed).trim() !== '' || Object.keys(out).length === 0) {
    throw new InvalidArgumentError(
      'Malformed OAuth Authorization header: expected k="v" pairs separated by commas.',
    );
  }
  return out;
}
