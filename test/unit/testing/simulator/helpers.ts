import { createHmac, randomBytes } from 'node:crypto';
import type { DepSimulator, SimTokenCredentials } from '../../../../src/testing/index.js';

export const UA = 'abmkit-simulator-tests/1.0';

/** RFC 3986 percent-encoding as RFC 5849 §3.6 requires (unreserved: A-Z a-z 0-9 - . _ ~). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * An OAuth 1.0a HMAC-SHA1 `Authorization` header computed by hand from RFC 5849 with node:crypto,
 * independent of abmkit's signer.
 */
export function handSignedAuthorization(input: {
  method: string;
  url: string;
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
  timestamp: number;
  nonce: string;
  version?: boolean;
}): { header: string; signature: string; baseString: string } {
  const url = new URL(input.url);
  const oauth: [string, string][] = [
    ['oauth_consumer_key', input.consumerKey],
    ['oauth_token', input.token],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', String(input.timestamp)],
    ['oauth_nonce', input.nonce],
  ];
  if (input.version !== false) oauth.push(['oauth_version', '1.0']);
  // §3.4.1.3: query + oauth params, each encoded, sorted by name then value, joined k=v&…
  const all = [...url.searchParams.entries(), ...oauth].map(
    ([k, v]) => [rfc3986(k), rfc3986(v)] as const,
  );
  all.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1));
  const normalized = all.map(([k, v]) => `${k}=${v}`).join('&');
  // §3.4.1.2: scheme://host[:non-default port]/path, lower-case scheme and host.
  const defaultPort =
    url.port === '' ||
    (url.protocol === 'http:' && url.port === '80') ||
    (url.protocol === 'https:' && url.port === '443');
  const baseUri = `${url.protocol}//${url.hostname}${defaultPort ? '' : `:${url.port}`}${url.pathname}`;
  const baseString = `${input.method.toUpperCase()}&${rfc3986(baseUri)}&${rfc3986(normalized)}`;
  // §3.4.2: key = enc(consumer secret) & enc(token secret).
  const key = `${rfc3986(input.consumerSecret)}&${rfc3986(input.tokenSecret)}`;
  const signature = createHmac('sha1', key).update(baseString).digest('base64');
  const header = `OAuth ${[...oauth, ['oauth_signature', signature]]
    .map(([k, v]) => `${k}="${rfc3986(v ?? '')}"`)
    .join(', ')}`;
  return { header, signature, baseString };
}

/** Signs `GET <baseUrl>/session` with the given credentials at the simulator's current time. */
export function sessionAuthorization(
  sim: DepSimulator,
  baseUrl: string,
  creds: SimTokenCredentials,
  overrides: { timestamp?: number; nonce?: string; consumerSecret?: string } = {},
): string {
  return handSignedAuthorization({
    method: 'GET',
    url: `${baseUrl}/session`,
    consumerKey: creds.consumer_key,
    consumerSecret: overrides.consumerSecret ?? creds.consumer_secret,
    token: creds.access_token,
    tokenSecret: creds.access_secret,
    timestamp: overrides.timestamp ?? Math.floor(sim.clock.now() / 1000),
    nonce: overrides.nonce ?? randomBytes(16).toString('hex'),
  }).header;
}

/** A response of {@link call}. */
export interface CallResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for reading JSON bodies
  json: any;
}

/** Calls the simulator core directly (no HTTP). */
export async function call(
  sim: DepSimulator,
  method: string,
  path: string,
  options: {
    body?: unknown;
    session?: string;
    protocol?: number | null;
    headers?: Record<string, string>;
    query?: Record<string, string>;
  } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { 'user-agent': UA };
  if (options.protocol !== null) {
    headers['x-server-protocol-version'] = String(options.protocol ?? 10);
  }
  if (options.session) headers['x-adm-auth-session'] = options.session;
  Object.assign(headers, options.headers);
  const res = await sim.handle({
    method,
    path,
    headers,
    ...(options.query ? { query: options.query } : {}),
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text: res.body, json };
}

/** Fetches every page with `limit`, returning the devices and the final cursor. */
export async function fetchAll(
  sim: DepSimulator,
  session: string,
  limit = 1000,
  protocol = 10,
): Promise<{ serials: string[]; cursor: string; pages: number }> {
  const serials: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const res = await call(sim, 'POST', '/server/devices', {
      session,
      protocol,
      body: cursor ? { cursor, limit } : { limit },
    });
    if (res.status !== 200) throw new Error(`fetch failed: ${res.status} ${res.text}`);
    pages++;
    for (const d of res.json.devices) serials.push(d.serial_number);
    cursor = res.json.cursor;
    if (!res.json.more_to_follow) return { serials, cursor: cursor as string, pages };
  }
}

/** A parsed JSON record read field by field in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test convenience for reading JSON bodies
export type Loose = any;
