import { delay, HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { parseOAuth1Header } from '../../../src/auth/oauth1.js';
import {
  AccessDeniedError,
  AuthenticationError,
  isAbmError,
  MemorySessionCache,
  type SessionCache,
  sessionCacheKey,
  TermsNotSignedError,
  TokenExpiredError,
  TokenRejectedError,
} from '../../../src/index.js';
import { BASE, SECRETS, testToken } from '../../msw/fixtures.js';
import { requireSession, sessionHandler, useAde } from '../../msw/server.js';
import { ACCOUNT, makeClient } from './helpers.js';

const ade = useAde();

function accountHandler(valid: string[] = ['session-1']) {
  return http.get(
    `${BASE}/account`,
    ({ request }) => requireSession(request, valid) ?? HttpResponse.json(ACCOUNT),
  );
}

describe('ADE session', () => {
  it('logs in with a valid OAuth1 header and sends the standard headers', async () => {
    ade.server.use(sessionHandler(), accountHandler());
    const client = makeClient();
    await expect(client.getAccount()).resolves.toMatchObject(ACCOUNT);
    const [login] = ade.requests('/session');
    const oauth = parseOAuth1Header(login?.headers.get('authorization') ?? '');
    expect(oauth).toMatchObject({
      oauth_consumer_key: 'CK_test_consumer_key',
      oauth_token: SECRETS.accessToken,
      oauth_signature_method: 'HMAC-SHA1',
      oauth_version: '1.0',
    });
    const [account] = ade.requests('/account');
    expect(account?.headers.get('x-adm-auth-session')).toBe('session-1');
    expect(account?.headers.get('user-agent')).toBe('abmkit/0.1.0');
    expect(account?.headers.get('x-server-protocol-version')).toBe('10');
    expect(account?.headers.get('content-type')).toBe('application/json;charset=UTF8');
    expect(login?.headers.get('user-agent')).toBe('abmkit/0.1.0');
  });

  it('reuses the session and logs in once for concurrent calls (single flight)', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/session`, async () => {
        await delay(20);
        return HttpResponse.json({ auth_session_token: 'session-1' });
      }),
      accountHandler(),
    );
    const client = makeClient();
    await Promise.all(Array.from({ length: 5 }, () => client.getAccount()));
    await client.getAccount();
    expect(ade.count('/session')).toBe(1);
    expect(ade.count('/account')).toBe(6);
  });

  it('lets one caller abort while waiting for the shared login without failing the others', async () => {
    ade.server.use(
      http.get(`${BASE}/session`, async () => {
        await delay(40);
        return HttpResponse.json({ auth_session_token: 'session-1' });
      }),
      accountHandler(),
    );
    const client = makeClient();
    const controller = new AbortController();
    const aborted = client.getAccount({ signal: controller.signal });
    const other = client.getAccount();
    setTimeout(() => controller.abort(), 5);
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(other).resolves.toMatchObject(ACCOUNT);
    expect(ade.count('/session')).toBe(1);
    expect(ade.count('/account')).toBe(1);
  });

  it('adopts a rotated X-ADM-Auth-Session header', async () => {
    let calls = 0;
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, ({ request }) => {
        calls += 1;
        const bad = requireSession(request, calls === 1 ? ['session-1'] : ['rotated-2']);
        if (bad) return bad;
        return HttpResponse.json(ACCOUNT, {
          headers: calls === 1 ? { 'X-ADM-Auth-Session': 'rotated-2' } : {},
        });
      }),
    );
    const client = makeClient();
    await client.getAccount();
    await client.getAccount();
    expect(ade.requests('/account').map((r) => r.headers.get('x-adm-auth-session'))).toEqual([
      'session-1',
      'rotated-2',
    ]);
    expect(ade.count('/session')).toBe(1);
  });

  it('logs in again and replays once on 401', async () => {
    ade.server.use(sessionHandler(), accountHandler(['session-2']));
    const client = makeClient();
    await expect(client.getAccount()).resolves.toMatchObject(ACCOUNT);
    expect(ade.count('/session')).toBe(2);
    expect(ade.count('/account')).toBe(2);
  });

  it('treats 403 FORBIDDEN like 401 (depsim behaviour)', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, ({ request }) =>
        request.headers.get('x-adm-auth-session') === 'session-2'
          ? HttpResponse.json(ACCOUNT)
          : new HttpResponse('"FORBIDDEN"', { status: 403 }),
      ),
    );
    await expect(makeClient().getAccount()).resolves.toMatchObject(ACCOUNT);
    expect(ade.count('/session')).toBe(2);
  });

  it('gives up with AuthenticationError when the replay is rejected too', async () => {
    ade.server.use(sessionHandler(), accountHandler([]));
    const err = await makeClient()
      .getAccount()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(isAbmError(err, 'AUTH_FAILED') && err.attempts).toBe(2);
    expect(ade.count('/session')).toBe(2);
    expect(ade.count('/account')).toBe(2);
  });

  it('still re-logs in when ordinary retries are disabled (limit 0)', async () => {
    ade.server.use(sessionHandler(), accountHandler(['session-2']));
    const client = makeClient({ retry: { limit: 0 } });
    await expect(client.getAccount()).resolves.toMatchObject(ACCOUNT);
    expect(ade.count('/account')).toBe(2);
  });

  it('never re-logs in on 403 T_C_NOT_SIGNED from an endpoint', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, () => new HttpResponse('T_C_NOT_SIGNED', { status: 403 })),
    );
    const err = await makeClient()
      .getAccount()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TermsNotSignedError);
    expect(err).toMatchObject({ status: 403, appleCode: 'T_C_NOT_SIGNED', attempts: 1 });
    expect(ade.count('/session')).toBe(1);
    expect(ade.count('/account')).toBe(1);
  });

  it.each([
    [403, 'T_C_NOT_SIGNED', TermsNotSignedError],
    [403, '{"code":"ACCESS_DENIED"}', AccessDeniedError],
    [401, 'token_rejected', TokenRejectedError],
    [403, '"signature_invalid"', TokenRejectedError],
    [401, 'oauth_problem=token_expired', TokenExpiredError],
    [401, 'nonce_used', AuthenticationError],
  ])(
    'maps /session %i %s to a typed error without retrying or keeping the body',
    async (status, body, Class) => {
      ade.server.use(sessionHandler(() => new HttpResponse(body, { status })));
      const err = await makeClient()
        .getAccount()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Class);
      expect(err).toMatchObject({ path: '/session', attempts: 1, bodyExcerpt: undefined });
      expect(ade.count('/session')).toBe(1);
      expect(ade.count('/account')).toBe(0);
    },
  );

  it('rejects an expired token locally, before calling Apple', async () => {
    const client = makeClient({
      token: testToken({ accessTokenExpiry: new Date(Date.now() - 1000) }),
    });
    const err = await client.getAccount().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenExpiredError);
    expect((err as Error).message).toMatch(/Renew it/);
    expect(ade.seen).toHaveLength(0);
  });

  it('shares sessions through a SessionCache (sync or async), keyed without secrets', async () => {
    const store = new Map<string, string>();
    const asyncCache: SessionCache = {
      get: async (k) => store.get(k),
      set: async (k, v) => {
        store.set(k, v);
      },
      delete: async (k) => {
        store.delete(k);
      },
    };
    ade.server.use(sessionHandler(), accountHandler());
    await makeClient({ sessionCache: asyncCache }).getAccount();
    await makeClient({ sessionCache: asyncCache }).getAccount();
    expect(ade.count('/session')).toBe(1);
    const key = sessionCacheKey(testToken());
    expect(store.get(key)).toBe('session-1');
    expect(key).toMatch(/^abmkit:session:[0-9a-f]{64}$/);
    for (const secret of Object.values(SECRETS)) expect(key).not.toContain(secret);

    const memory = new MemorySessionCache();
    memory.set(key, 'session-1');
    await makeClient({ sessionCache: memory }).getAccount();
    expect(ade.count('/session')).toBe(1);
  });

  it('replaces a stale cached session without clobbering a newer one', async () => {
    const cache = new MemorySessionCache();
    const key = sessionCacheKey(testToken());
    cache.set(key, 'stale');
    ade.server.use(sessionHandler(), accountHandler());
    await makeClient({ sessionCache: cache }).getAccount();
    expect(cache.get(key)).toBe('session-1');
    expect(ade.requests('/account').map((r) => r.headers.get('x-adm-auth-session'))).toEqual([
      'stale',
      'session-1',
    ]);
  });
});
