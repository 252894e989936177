/** The placeholder that replaces every secret. */
export const REDACTED = '[REDACTED]';

/** Object keys whose values are always secret, compared case-insensitively with `-`/`_` removed. */
const SECRET_KEYS = new Set(
  [
    'authorization',
    'x-adm-auth-session',
    'auth_session_token',
    'authSessionToken',
    'sessionToken',
    'session',
    'consumer_secret',
    'consumerSecret',
    'access_token',
    'accessToken',
    'access_secret',
    'accessSecret',
    'privateKey',
    'privateKeyPem',
    'private_key',
    'password',
    'secret',
    'encryptionKey',
    'oauth_signature',
  ].map(normaliseKey),
);

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Whether an object key names a secret value. @internal */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normaliseKey(key));
}

const PATTERNS: [RegExp, string][] = [
  // PEM blocks (private keys, certificates, PKCS7)
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, REDACTED],
  // OAuth Authorization header values: the key="value" list after `OAuth`, not the words that
  // follow it in a sentence ("Apple refused the OAuth login …" keeps its advice)
  [/\bOAuth\s+(?:[A-Za-z_]+\s*=\s*"[^"\r\n]*"\s*,?\s*)+/g, `OAuth ${REDACTED} `],
  // Unquoted OAuth parameters carrying secrets or identifying a signed request
  [/\b(oauth_(?:token|signature|nonce)\s*=\s*)[^"',\s&]+/gi, `$1${REDACTED}`],
  // Session header and JSON fields carrying secrets
  [/(x-adm-auth-session["']?\s*[:=]\s*["']?)[^"',\s}]+/gi, `$1${REDACTED}`],
  [
    /("?(?:auth_session_token|consumer_secret|access_token|access_secret|oauth_signature)"?\s*[:=]\s*"?)[^"',\s}&]+/gi,
    `$1${REDACTED}`,
  ],
  // ADE credential prefixes as Apple issues them
  [/\b(?:CS|AT|AS)_[A-Za-z0-9+/=_-]{8,}/g, REDACTED],
];

/** Redacts known secret shapes from a string. @internal */
export function redactString(input: string): string {
  let out = input;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/**
 * Returns a redacted deep copy of `value` (never mutates it): secret keys are replaced by
 * `[REDACTED]` and strings are scrubbed of known secret shapes. Cycles and depth are bounded.
 * @internal
 */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[Object]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out['code'] = code;
    return out;
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  // Objects that choose their own serialised form (e.g. ServerToken, which hides its secrets
  // there) are logged through it, then scrubbed like everything else.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return redactValue(toJSON.call(value), depth + 1, seen);
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      isSecretKey(k) && v !== undefined && v !== null ? REDACTED : redactValue(v, depth + 1, seen);
  }
  return out;
}
