import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbmError } from '../../../src/errors/index.js';
import { type ApiHarness, startApiHarness } from './helpers.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h.sim.close();
});

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT built by hand (not by abmkit's minting code), with overrides. */
function handJwt(
  overrides: {
    header?: Record<string, unknown>;
    claims?: Record<string, unknown>;
    key?: string;
    tamper?: boolean;
  } = {},
): string {
  const now = Math.floor(h.sim.clock.now() / 1000);
  const header = { alg: 'ES256', kid: h.account.keyId, typ: 'JWT', ...overrides.header };
  const claims = {
    iss: h.account.clientId,
    sub: h.account.clientId,
    aud: 'https://account.apple.com/auth/oauth2/v2/token',
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    ...overrides.claims,
  };
  const input = `${b64(header)}.${b64(claims)}`;
  const sig = sign('sha256', Buffer.from(input), {
    key: createPrivateKey(overrides.key ?? h.account.privateKey),
    dsaEncoding: 'ieee-p1363',
  });
  if (overrides.tamper) sig[0] = (sig[0] ?? 0) ^ 1;
  return `${input}.${sig.toString('base64url')}`;
}

async function tokenRequest(
  jwt: string,
  extra: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: h.account.clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: jwt,
    scope: 'business.api',
    ...extra,
  });
  const res = await fetch(`${h.baseUrl}/auth/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('simulated token endpoint', () => {
  it('issues a bearer token for a correct hand-made assertion', async () => {
    const { status, body } = await tokenRequest(handJwt());
    expect(status).toBe(200);
    expect(body['token_type']).toBe('Bearer');
    expect(body['expires_in']).toBe(3600);
  });

  const other = () => {
    const a = h.sim.businessApi.createAccount();
    return a.privateKey;
  };
  const now = () => Math.floor(h.sim.clock.now() / 1000);
  const cases: [string, () => string, Record<string, string> | undefined, string][] = [
    ['signature (other key)', () => handJwt({ key: other() }), undefined, 'signature'],
    ['signature (tampered)', () => handJwt({ tamper: true }), undefined, 'signature'],
    ['alg', () => handJwt({ header: { alg: 'HS256' } }), undefined, 'alg'],
    ['kid', () => handJwt({ header: { kid: 'someone-else' } }), undefined, 'kid'],
    ['iss', () => handJwt({ claims: { iss: 'BUSINESSAPI.other' } }), undefined, 'iss'],
    ['sub', () => handJwt({ claims: { sub: 'BUSINESSAPI.other' } }), undefined, 'sub'],
    [
      'aud (token URL without /v2/)',
      () => handJwt({ claims: { aud: 'https://account.apple.com/auth/oauth2/token' } }),
      undefined,
      'aud',
    ],
    [
      'exp (past)',
      () => handJwt({ claims: { iat: now() - 600, exp: now() - 1 } }),
      undefined,
      'exp',
    ],
    [
      'exp (beyond 180 days)',
      () => handJwt({ claims: { exp: now() + 181 * 86_400 } }),
      undefined,
      '180 days',
    ],
    [
      'iat (future)',
      () => handJwt({ claims: { iat: now() + 3600, exp: now() + 7200 } }),
      undefined,
      'iat',
    ],
    ['jti', () => handJwt({ claims: { jti: '' } }), undefined, 'jti'],
    ['client_id', () => handJwt(), { client_id: 'BUSINESSAPI.unknown' }, 'client_id'],
    ['not a JWT', () => 'abc.def', undefined, 'JWT'],
  ];
  for (const [field, jwt, extra, words] of cases) {
    it(`rejects a wrong ${field} with invalid_client`, async () => {
      const { status, body } = await tokenRequest(jwt(), extra);
      expect(status).toBe(401);
      expect(body['error']).toBe('invalid_client');
      expect(String(body['error_description'])).toContain(words);
    });
  }

  it('rejects a wrong scope, grant type and assertion type with their OAuth errors', async () => {
    expect((await tokenRequest(handJwt(), { scope: 'school.api' })).body['error']).toBe(
      'invalid_scope',
    );
    expect((await tokenRequest(handJwt(), { grant_type: 'password' })).body['error']).toBe(
      'unsupported_grant_type',
    );
    expect((await tokenRequest(handJwt(), { client_assertion_type: 'x' })).body['error']).toBe(
      'invalid_request',
    );
  });

  it('maps refusals to typed client errors with advice', async () => {
    const wrongKid = h.client({ keyId: 'not-the-key-id' });
    const err = await wrongKid.mdmServer('X').catch((e: unknown) => e);
    expect(isAbmError(err) && err.code).toBe('AUTH_FAILED');
    expect((err as Error).message).toMatch(/revoked|keyId/);
    const revokedAccount = h.sim.businessApi.createAccount({ keyFormat: 'pkcs8' });
    h.sim.businessApi.revokeAccount(revokedAccount.clientId);
    const revoked = h.client({ ...revokedAccount });
    const err2 = await collectFirst(revoked.mdmServers());
    expect(isAbmError(err2) && err2.code).toBe('AUTH_FAILED');
    expect((err2 as Error).message).not.toContain(
      revokedAccount.privateKey.split('\n')[1]?.slice(0, 20),
    );
  });
});

async function collectFirst(it: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const x of it) return x;
  } catch (error) {
    return error;
  }
  return undefined;
}
