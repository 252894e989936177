import { inspect } from 'node:util';
import type { z } from 'zod';
import { InvalidArgumentError } from '../errors/index.js';
import { lazy } from '../internal/zod.js';
import { isRealInstant } from './lib/parse-payload.js';
import { formatExpiry } from './lib/payload.js';
import type { ServerToken, ServerTokenInput } from './server-token.js';

const REDACTED = '[REDACTED]';

/**
 * A {@link ServerToken} whose secrets stay out of every printed form: `console.log`,
 * `util.inspect` (any depth), `JSON.stringify`, template strings, `Object.keys` and spread
 * show only the consumer key and expiry. Code reads the secrets through the getters.
 * Instances are frozen. Build one with {@link createServerToken} or {@link serverTokenFromJSON}.
 */
class HiddenServerToken implements ServerToken {
  readonly #consumerKey: string;
  readonly #consumerSecret: string;
  readonly #accessToken: string;
  readonly #accessSecret: string;
  readonly #expiryMs: number;

  constructor(fields: ServerTokenInput) {
    this.#consumerKey = fields.consumerKey;
    this.#consumerSecret = fields.consumerSecret;
    this.#accessToken = fields.accessToken;
    this.#accessSecret = fields.accessSecret;
    this.#expiryMs = fields.accessTokenExpiry.getTime();
    Object.freeze(this);
  }

  get consumerKey(): string {
    return this.#consumerKey;
  }
  get consumerSecret(): string {
    return this.#consumerSecret;
  }
  get accessToken(): string {
    return this.#accessToken;
  }
  get accessSecret(): string {
    return this.#accessSecret;
  }
  /** A fresh `Date` on every read, so callers cannot change the token's expiry. */
  get accessTokenExpiry(): Date {
    return new Date(this.#expiryMs);
  }

  /** The redacted view used by `JSON.stringify`. */
  toJSON(): Record<string, string> {
    return {
      consumerKey: this.#consumerKey,
      consumerSecret: REDACTED,
      accessToken: REDACTED,
      accessSecret: REDACTED,
      accessTokenExpiry: formatExpiry(new Date(this.#expiryMs)),
    };
  }

  toString(): string {
    return `ServerToken(${this.#consumerKey}, expires ${formatExpiry(new Date(this.#expiryMs))})`;
  }

  [inspect.custom](depth: number, options: { stylize?: unknown }, view: typeof inspect): string {
    if (depth < 0) return '[ServerToken]';
    const shown = { ...this.toJSON(), accessTokenExpiry: new Date(this.#expiryMs) };
    return `ServerToken ${view(shown, { ...options, depth: 1 } as Parameters<typeof inspect>[1])}`;
  }

  get [Symbol.toStringTag](): string {
    return 'ServerToken';
  }
}
Object.freeze(HiddenServerToken.prototype);

const PRINTABLE = /^[\x21-\x7e]+$/;
/** The fields of a server token, checked; built on first use. */
const getInputSchema = lazy((z) => {
  const credential = z.string().min(1).max(4096).regex(PRINTABLE);
  return z.object({
    consumerKey: credential,
    consumerSecret: credential,
    accessToken: credential,
    accessSecret: credential,
    accessTokenExpiry: z.date().refine((d) => !Number.isNaN(d.getTime())),
  });
});

function invalid(fn: string, error: z.ZodError): InvalidArgumentError {
  const issues = error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: 'missing or invalid (non-empty printable ASCII strings and a valid date expected)',
  }));
  const fields = [...new Set(issues.map((i) => String(i.path[0] ?? 'value')))];
  return new InvalidArgumentError(`${fn}: invalid server token fields (${fields.join(', ')}).`, {
    issues,
  });
}

/**
 * Builds a {@link ServerToken} that hides its secrets when printed, logged or serialised,
 * from plain fields (e.g. read back from storage). Validates the fields; error messages name
 * the bad fields but never include their values.
 *
 * @param fields - The four credentials and the expiry.
 * @returns A frozen token whose secrets are readable by code but never printed.
 * @throws {@link InvalidArgumentError} when a field is missing, empty or not printable ASCII.
 */
export function createServerToken(fields: ServerTokenInput): ServerToken {
  const parsed = getInputSchema().safeParse({
    consumerKey: fields?.consumerKey,
    consumerSecret: fields?.consumerSecret,
    accessToken: fields?.accessToken,
    accessSecret: fields?.accessSecret,
    accessTokenExpiry: fields?.accessTokenExpiry,
  });
  if (!parsed.success) throw invalid('createServerToken', parsed.error);
  return new HiddenServerToken(parsed.data);
}

/**
 * The plain, JSON-safe form of a server token, secrets included, as written by
 * {@link serverTokenToJSON}. Encrypt it at rest.
 */
export interface ServerTokenJSON {
  /** OAuth consumer key. */
  consumerKey: string;
  /** OAuth consumer secret. Secret. */
  consumerSecret: string;
  /** OAuth access token. Secret. */
  accessToken: string;
  /** OAuth access secret. Secret. */
  accessSecret: string;
  /** Expiry, RFC 3339 UTC (`2026-01-17T11:02:21Z`). */
  accessTokenExpiry: string;
}

/**
 * Reveals a token's secrets as a plain JSON-safe object, for storage layers that encrypt
 * it at rest. The result is NOT redacted: never log it. `JSON.stringify(token)` itself stays
 * redacted; this function is the explicit way out.
 *
 * @param token - Any {@link ServerToken}.
 * @returns The five fields, expiry as an RFC 3339 string.
 */
export function serverTokenToJSON(token: ServerToken): ServerTokenJSON {
  return {
    consumerKey: token.consumerKey,
    consumerSecret: token.consumerSecret,
    accessToken: token.accessToken,
    accessSecret: token.accessSecret,
    accessTokenExpiry: formatExpiry(token.accessTokenExpiry),
  };
}

/**
 * Rebuilds a secret-hiding {@link ServerToken} from stored JSON: the camelCase form
 * written by {@link serverTokenToJSON} (expiry as a string or `Date`), or Apple's own
 * snake_case token JSON (`consumer_key`, …, `access_token_expiry`) as other tools export it.
 *
 * @param json - A parsed object (not a JSON string).
 * @returns A frozen token whose secrets are readable by code but never printed.
 * @throws {@link InvalidArgumentError} when fields are missing or invalid (values never echoed).
 */
export function serverTokenFromJSON(json: unknown): ServerToken {
  const record = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const pick = (camel: string, snake: string): unknown => record[camel] ?? record[snake];
  const expiryRaw = pick('accessTokenExpiry', 'access_token_expiry');
  const accessTokenExpiry =
    expiryRaw instanceof Date
      ? expiryRaw
      : typeof expiryRaw === 'string' && isRealInstant(expiryRaw)
        ? new Date(expiryRaw.toUpperCase())
        : undefined;
  const parsed = getInputSchema().safeParse({
    consumerKey: pick('consumerKey', 'consumer_key'),
    consumerSecret: pick('consumerSecret', 'consumer_secret'),
    accessToken: pick('accessToken', 'access_token'),
    accessSecret: pick('accessSecret', 'access_secret'),
    accessTokenExpiry,
  });
  if (!parsed.success) throw invalid('serverTokenFromJSON', parsed.error);
  return new HiddenServerToken(parsed.data);
}
