import { TokenPayloadError } from '../../errors/index.js';
import { lazy } from '../../internal/zod.js';
import type { ServerTokenInput } from '../server-token.js';

const BEGIN = '-----BEGIN MESSAGE-----';
const END = '-----END MESSAGE-----';
const MAX_CREDENTIAL_LENGTH = 4096;

const HINT =
  'The file decrypted but does not hold valid ADE credentials; it may be damaged. Download a new token from Apple Business Manager.';

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Whether an RFC 3339 string names a real instant. `Date.parse` alone is not enough: it rolls
 * 2027-02-31 over to 3 March and T24:00 over to the next day. @internal
 */
export function isRealInstant(text: string): boolean {
  const m = RFC3339.exec(text);
  if (m === null || Number.isNaN(Date.parse(text.toUpperCase()))) return false;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59;
}

/** Apple's token JSON. Unknown fields are kept (Apple may add some). Built on first use. @internal */
export const getTokenJsonSchema = lazy((z) => {
  const credential = z
    .string()
    .min(1)
    .max(MAX_CREDENTIAL_LENGTH)
    .regex(/^[\x21-\x7e]+$/);
  const expiry = z.string().regex(RFC3339).refine(isRealInstant);
  return z.looseObject({
    consumer_key: credential,
    consumer_secret: credential,
    access_token: credential,
    access_secret: credential,
    access_token_expiry: expiry,
  });
});

/** What the plaintext turned out to be. @internal */
export type PayloadResult =
  | { readonly kind: 'token'; readonly token: ServerTokenInput }
  | { readonly kind: 'garbage' };

/** Whether the text before the BEGIN marker is empty or a well-formed MIME header block. */
function headersOk(head: string): boolean {
  if (head.trim().length === 0) return true;
  const lines = head.replace(/(\r?\n)+$/, '').split(/\r?\n/);
  return lines.every((line, i) => /^[A-Za-z0-9-]+:/.test(line) || (i > 0 && /^[ \t]/.test(line)));
}

/**
 * Reads the decrypted content. Plaintext without the `BEGIN/END MESSAGE` markers is
 * `garbage` (what a wrong key that slipped past the padding check produces), which the
 * caller reports as a decryption failure. Anything with the markers but not a valid token
 * throws {@link TokenPayloadError}; messages name fields only, never values.
 * @internal
 */
export function parsePayload(plaintext: Uint8Array): PayloadResult {
  const latin1 = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).toString(
    'latin1',
  );
  const begin = latin1.indexOf(BEGIN);
  const end = begin < 0 ? -1 : latin1.indexOf(END, begin + BEGIN.length);
  if (begin < 0 || end < 0) return { kind: 'garbage' };
  if (!headersOk(latin1.slice(0, begin))) {
    throw new TokenPayloadError(`The decrypted token has malformed MIME headers. ${HINT}`);
  }
  // The JSON may be split over several lines: join them (nanodep does the same).
  const jsonText = latin1
    .slice(begin + BEGIN.length, end)
    .split(/\r?\n/)
    .join('');
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch {
    throw new TokenPayloadError(`The decrypted token message is not JSON. ${HINT}`);
  }
  const parsed = getTokenJsonSchema().safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'message')))];
    throw new TokenPayloadError(
      `The decrypted token has missing or invalid fields (${fields.join(', ')}). ${HINT}`,
    );
  }
  const data = parsed.data;
  return {
    kind: 'token',
    token: {
      consumerKey: data.consumer_key,
      consumerSecret: data.consumer_secret,
      accessToken: data.access_token,
      accessSecret: data.access_secret,
      accessTokenExpiry: new Date(data.access_token_expiry.toUpperCase()),
    },
  };
}
