import { randomUUID, sign } from 'node:crypto';
import type { ApiCredentials } from './credentials.js';

/** The `aud` Apple expects in the client assertion (note `/v2/`, unlike the token URL). */
export const ASSERTION_AUDIENCE = 'https://account.apple.com/auth/oauth2/v2/token';

/** Lifetime of a minted assertion: short, since abmkit holds the key and mints one per request. */
export const ASSERTION_LIFETIME_SECONDS = 300;

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Mints the ES256 client assertion (a JWT) for the OAuth 2 client-credentials grant: header
 * `{alg: ES256, kid, typ: JWT}`, claims `iss` = `sub` = client id, `aud`, `iat`, `exp`, `jti`.
 * The signature is raw R‖S (`ieee-p1363`), as JOSE requires.
 * @internal
 */
export function mintClientAssertion(
  creds: Pick<ApiCredentials, 'clientId' | 'keyId' | 'key'>,
  options: { nowMs: number; audience?: string; lifetimeSeconds?: number },
): string {
  const iat = Math.floor(options.nowMs / 1000);
  const header = { alg: 'ES256', kid: creds.keyId, typ: 'JWT' };
  const claims = {
    iss: creds.clientId,
    sub: creds.clientId,
    aud: options.audience ?? ASSERTION_AUDIENCE,
    iat,
    exp: iat + (options.lifetimeSeconds ?? ASSERTION_LIFETIME_SECONDS),
    jti: randomUUID(),
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: creds.key,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${b64url(signature)}`;
}
