import type { ServerTokenInput } from '../server-token.js';

/** RFC 3339 UTC without fractional seconds, as ABM writes `access_token_expiry`. @internal */
export function formatExpiry(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The decrypted content of a server token exactly as ABM writes it: CRLF MIME headers,
 * then the JSON between `BEGIN/END MESSAGE` markers on LF-terminated lines. @internal
 */
export function buildPayload(token: ServerTokenInput): string {
  const json = JSON.stringify({
    consumer_key: token.consumerKey,
    consumer_secret: token.consumerSecret,
    access_token: token.accessToken,
    access_secret: token.accessSecret,
    access_token_expiry: formatExpiry(token.accessTokenExpiry),
  });
  return (
    'Content-Type: text/plain;charset=UTF-8\r\n' +
    'Content-Transfer-Encoding: 7bit\r\n' +
    '\r\n' +
    '-----BEGIN MESSAGE-----\n' +
    `${json}\n` +
    '-----END MESSAGE-----\n'
  );
}
