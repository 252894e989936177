/**
 * `POST /auth/oauth2/token`: the client-credentials grant with an ES256 client assertion, verified
 * field by field. Each problem gets Apple's OAuth error (`invalid_client`, `invalid_request`,
 * `invalid_scope`, `unsupported_grant_type`) with a description naming the field.
 *
 * @internal
 * @module
 */
import { randomBytes, verify } from 'node:crypto';
import type { BusinessState } from './state.js';

/** @internal Audience the simulator expects, as Apple documents it. */
export const SIM_ASSERTION_AUDIENCE = 'https://account.apple.com/auth/oauth2/v2/token';
const MAX_ASSERTION_LIFETIME_S = 180 * 86_400;
const CLOCK_SKEW_S = 60;

/** @internal */
export interface TokenAnswer {
  status: number;
  json: unknown;
}

const oauthError = (status: number, error: string, description: string): TokenAnswer => ({
  status,
  json: { error, error_description: description },
});

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (part === undefined || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** @internal */
export function tokenEndpoint(
  biz: BusinessState,
  params: URLSearchParams,
  now: number,
): TokenAnswer {
  if (params.get('grant_type') !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
  }
  if (
    params.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
  ) {
    return oauthError(400, 'invalid_request', 'client_assertion_type must be jwt-bearer');
  }
  const clientId = params.get('client_id') ?? '';
  const account = biz.accounts.get(clientId);
  if (!account) return oauthError(401, 'invalid_client', 'unknown client_id');
  if (account.revoked)
    return oauthError(401, 'invalid_client', 'the key of this client was revoked');
  const jwt = params.get('client_assertion') ?? '';
  const parts = jwt.split('.');
  if (parts.length !== 3) return oauthError(401, 'invalid_client', 'client_assertion is not a JWT');
  const header = decodePart(parts[0]);
  const claims = decodePart(parts[1]);
  if (!header || !claims) return oauthError(401, 'invalid_client', 'client_assertion is not a JWT');
  if (header['alg'] !== 'ES256') return oauthError(401, 'invalid_client', 'alg must be ES256');
  if (header['kid'] !== account.keyId) return oauthError(401, 'invalid_client', 'unknown kid');
  const signature = Buffer.from(parts[2] ?? '', 'base64url');
  const signedOk =
    signature.length === 64 &&
    verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: account.publicKey, dsaEncoding: 'ieee-p1363' },
      signature,
    );
  if (!signedOk) return oauthError(401, 'invalid_client', 'signature does not verify');
  if (claims['iss'] !== clientId)
    return oauthError(401, 'invalid_client', 'iss must be the client id');
  if (claims['sub'] !== clientId)
    return oauthError(401, 'invalid_client', 'sub must be the client id');
  if (claims['aud'] !== SIM_ASSERTION_AUDIENCE)
    return oauthError(401, 'invalid_client', 'aud is wrong');
  const iat = claims['iat'];
  const exp = claims['exp'];
  const nowS = Math.floor(now / 1000);
  if (typeof iat !== 'number' || iat > nowS + CLOCK_SKEW_S)
    return oauthError(401, 'invalid_client', 'iat is missing or in the future');
  if (typeof exp !== 'number' || exp <= nowS)
    return oauthError(401, 'invalid_client', 'client_assertion expired (exp)');
  if (exp - iat > MAX_ASSERTION_LIFETIME_S)
    return oauthError(401, 'invalid_client', 'exp is more than 180 days after iat');
  if (typeof claims['jti'] !== 'string' || claims['jti'] === '')
    return oauthError(401, 'invalid_client', 'jti is missing');
  if (params.get('scope') !== account.scope)
    return oauthError(400, 'invalid_scope', `scope must be ${account.scope}`);
  const accessToken = randomBytes(32).toString('base64url');
  biz.accessTokens.set(accessToken, { clientId, expiresAt: now + biz.tokenLifetimeS * 1000 });
  // Drop expired tokens so the map stays bounded.
  if (biz.accessTokens.size > 1000) {
    for (const [t, rec] of biz.accessTokens) if (rec.expiresAt <= now) biz.accessTokens.delete(t);
  }
  return {
    status: 200,
    json: {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: biz.tokenLifetimeS,
      scope: account.scope,
    },
  };
}
