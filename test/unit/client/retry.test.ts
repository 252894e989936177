import { delay, HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ConfigurationError,
  ConnectionError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
} from '../../../src/index.js';
import { BASE } from '../../msw/fixtures.js';
import { sessionHandler, useAde } from '../../msw/server.js';
import { ACCOUNT, makeClient } from './helpers.js';

const ade = useAde();

/** Answers `failures` in order, then succeeds with `ok`. */
function sequence(
  method: 'get' | 'post',
  path: string,
  failures: (() => Response)[],
  ok: () => Response,
) {
  let i = 0;
  return http[method](`${BASE}${path}`, () => {
    const next = failures[i++];
    return next ? next() : ok();
  });
}

const PROFILE = { profile_name: 'Staff', url: 'https://mdm.example.com/enroll' };

describe('retries', () => {
  it('retries 503 with Retry-After (seconds) and succeeds', async () => {
    ade.server.use(
      sessionHandler(),
      sequence(
        'get',
        '/account',
        [() => new HttpResponse('busy', { status: 503, headers: { 'Retry-After': '0' } })],
        () => HttpResponse.json(ACCOUNT),
      ),
    );
    await expect(makeClient().getAccount()).resolves.toMatchObject(ACCOUNT);
    expect(ade.count('/account')).toBe(2);
  });

  it('caps a huge Retry-After (seconds and HTTP date) at maxRetryAfterMs', async () => {
    const later = new Date(Date.now() + 3600_000).toUTCString();
    ade.server.use(
      sessionHandler(),
      sequence(
        'get',
        '/account',
        [
          () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '3600' } }),
          () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': later } }),
        ],
        () => HttpResponse.json(ACCOUNT),
      ),
    );
    // Without the cap this would sleep an hour and hit the test timeout.
    await expect(makeClient().getAccount()).resolves.toMatchObject(ACCOUNT);
    expect(ade.count('/account')).toBe(3);
  });

  it('gives up after limit retries with ServerError and reports the attempts', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, () => new HttpResponse('oops', { status: 500 })),
    );
    const err = await makeClient({ retry: { limit: 2, baseDelayMs: 1 } })
      .getAccount()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({
      status: 500,
      attempts: 3,
      retryable: true,
      method: 'GET',
      path: '/account',
    });
    expect(ade.count('/account')).toBe(3);
  });

  it('maps exhausted 429s to RateLimitError', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, () => new HttpResponse('TOO_MANY_REQUESTS', { status: 429 })),
    );
    const err = await makeClient({ retry: { limit: 1, baseDelayMs: 1 } })
      .getAccount()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ appleCode: 'TOO_MANY_REQUESTS', attempts: 2 });
  });

  it('sends the same JSON body on every attempt of a retried POST', async () => {
    const bodies: unknown[] = [];
    let calls = 0;
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/server/devices`, async ({ request }) => {
        bodies.push(await request.json());
        return ++calls === 1
          ? new HttpResponse('busy', { status: 503, headers: { 'Retry-After': '0' } })
          : HttpResponse.json({ devices: [], cursor: 'c2', more_to_follow: false });
      }),
    );
    await expect(makeClient().fetchDevices({ cursor: 'c1', limit: 5 })).resolves.toMatchObject({
      cursor: 'c2',
    });
    expect(bodies).toEqual([
      { cursor: 'c1', limit: 5 },
      { cursor: 'c1', limit: 5 },
    ]);
  });

  it('retries a reset connection for a safe operation', async () => {
    ade.server.use(
      sessionHandler(),
      sequence('get', '/account', [() => HttpResponse.error()], () => HttpResponse.json(ACCOUNT)),
    );
    await expect(makeClient().getAccount()).resolves.toMatchObject(ACCOUNT);
    expect(ade.count('/account')).toBe(2);
  });

  it('maps a persistent network failure to ConnectionError', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, () => HttpResponse.error()),
    );
    const err = await makeClient({ retry: { limit: 1, baseDelayMs: 1 } })
      .getAccount()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ attempts: 2, operation: 'getAccount' });
    expect(ade.count('/account')).toBe(2);
  });

  it('does not replay disown, define-profile or activation lock after an ambiguous failure', async () => {
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/devices/disown`, () => HttpResponse.error()),
      http.post(`${BASE}/profile`, () => new HttpResponse('boom', { status: 502 })),
      http.post(`${BASE}/device/activationlock`, () => new HttpResponse(null, { status: 503 })),
    );
    const client = makeClient();
    await expect(client.disownDevices(['S1'])).rejects.toBeInstanceOf(ConnectionError);
    await expect(client.defineProfile(PROFILE)).rejects.toBeInstanceOf(ServerError);
    await expect(client.activationLock({ device: 'S1' })).rejects.toBeInstanceOf(ServerError);
    expect(ade.count('/devices/disown')).toBe(1);
    expect(ade.count('/profile')).toBe(1);
    expect(ade.count('/device/activationlock')).toBe(1);
  });

  it('does replay define-profile after 429 (Apple did not process it)', async () => {
    ade.server.use(
      sessionHandler(),
      sequence('post', '/profile', [() => new HttpResponse(null, { status: 429 })], () =>
        HttpResponse.json({ profile_uuid: 'ABC' }),
      ),
    );
    await expect(makeClient().defineProfile(PROFILE)).resolves.toMatchObject({
      profile_uuid: 'ABC',
    });
    expect(ade.count('/profile')).toBe(2);
  });

  it('maps malformed JSON to ResponseValidationError without retrying', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(
        `${BASE}/account`,
        () =>
          new HttpResponse('{"server_name": "Te', {
            headers: { 'content-type': 'application/json' },
          }),
      ),
    );
    const err = await makeClient()
      .getAccount()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseValidationError);
    expect((err as Error).message).toMatch(/not valid JSON/);
    expect(ade.count('/account')).toBe(1);
  });

  it('maps a wrong shape to ResponseValidationError with issue paths', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, () => HttpResponse.json({ server_name: 42 })),
    );
    const err = await makeClient()
      .getAccount()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseValidationError);
    const paths = (err as ResponseValidationError).issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['server_name', 'server_uuid']));
  });

  it('maps USER_AGENT_INVALID to ConfigurationError and sends the configured agent and version', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, () => new HttpResponse('USER_AGENT_INVALID', { status: 400 })),
    );
    const err = await makeClient({ userAgent: 'godep/0', protocolVersion: 7 })
      .getAccount()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(ade.count('/account')).toBe(1);
    const [req] = ade.requests('/account');
    expect(req?.headers.get('user-agent')).toBe('godep/0');
    expect(req?.headers.get('x-server-protocol-version')).toBe('7');
  });

  it('aborts through the caller signal, including during a request', async () => {
    const controller = new AbortController();
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, async () => {
        // Aborted once the request is in flight (a 30 ms timer raced the login on a loaded machine).
        controller.abort();
        await delay('infinite');
        return HttpResponse.json(ACCOUNT);
      }),
    );
    const pending = makeClient().getAccount({ signal: controller.signal });
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(ade.count('/account')).toBe(1);
    await expect(makeClient().getAccount({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortError,
    );
  });

  it('aborts through the client-wide signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(makeClient({ signal: controller.signal }).getAccount()).rejects.toBeInstanceOf(
      AbortError,
    );
    expect(ade.seen).toHaveLength(0);
  });

  it('enforces the per-attempt timeout (retried for safe operations) and the overall deadline', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, async () => {
        await delay('infinite');
        return HttpResponse.json(ACCOUNT);
      }),
    );
    const perAttempt = await makeClient({ timeoutMs: 20, retry: { limit: 1, baseDelayMs: 1 } })
      .getAccount()
      .catch((e: unknown) => e);
    expect(perAttempt).toBeInstanceOf(TimeoutError);
    expect(perAttempt).toMatchObject({ attempts: 2 });
    expect((perAttempt as Error).message).toMatch(/timeoutMs/);
    expect(ade.count('/account')).toBe(2);

    const deadline = await makeClient()
      .getAccount({ deadlineMs: 40 })
      .catch((e: unknown) => e);
    expect(deadline).toBeInstanceOf(TimeoutError);
    expect((deadline as Error).message).toMatch(/deadline/);
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const client = makeClient({
      fetch: async (input) => {
        const url = input instanceof Request ? input.url : String(input);
        calls.push(new URL(url).pathname);
        return url.endsWith('/session')
          ? Response.json({ auth_session_token: 'x' })
          : Response.json(ACCOUNT);
      },
    });
    await expect(client.getAccount()).resolves.toMatchObject(ACCOUNT);
    expect(calls).toEqual(['/session', '/account']);
    expect(ade.seen).toHaveLength(0);
  });
});
