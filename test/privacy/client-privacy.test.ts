import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  type AbmLogger,
  isAbmError,
  MemorySessionCache,
  sessionCacheKey,
} from '../../src/index.js';
import { BASE, SECRETS, testToken } from '../msw/fixtures.js';
import { useAde } from '../msw/server.js';
import { makeClient } from '../unit/client/helpers.js';

const ade = useAde();

/** Secrets planted in the token and in the sessions Apple hands out. */
const SESSION_1 = 'SESSION_canary_one_b7c1d2';
const SESSION_2 = 'SESSION_canary_two_e4f5a6';
const CANARIES = [...Object.values(SECRETS), SESSION_1, SESSION_2];

function recordingLogger(): { logger: AbmLogger; lines: unknown[] } {
  const lines: unknown[] = [];
  const log = (...args: unknown[]): void => {
    lines.push(args);
  };
  const logger: AbmLogger = { error: log, warn: log, info: log, debug: log };
  logger.child = () => logger;
  return { logger, lines };
}

function assertClean(label: string, text: string): void {
  for (const secret of CANARIES) {
    expect(text, `${label} leaks ${secret.slice(0, 12)}…`).not.toContain(secret);
  }
}

function assertErrorClean(err: unknown): void {
  expect(isAbmError(err)).toBe(true);
  const e = err as Error;
  assertClean('message', e.message);
  assertClean('stack', e.stack ?? '');
  assertClean('JSON.stringify', JSON.stringify(e));
  assertClean('util.inspect', inspect(e, { depth: Number.POSITIVE_INFINITY, showHidden: true }));
  assertClean('String', String(e));
}

/** /session hands out SESSION_1 then SESSION_2, echoing secrets in a header and the body. */
function sessionWithCanaries() {
  let n = 0;
  return http.get(`${BASE}/session`, () => {
    n += 1;
    return HttpResponse.json(
      { auth_session_token: n === 1 ? SESSION_1 : SESSION_2, echo: SECRETS.accessSecret },
      { headers: { 'X-Debug-Echo': SECRETS.consumerSecret } },
    );
  });
}

describe('client privacy canaries', () => {
  it('re-auth, rotation, T&C, 500 and network paths leak no secret into logs or errors', async () => {
    const { logger, lines } = recordingLogger();
    const cache = new MemorySessionCache();
    const client = makeClient({ logger, sessionCache: cache, retry: { limit: 1, baseDelayMs: 1 } });

    // 1. 401 → re-auth → replay, with a rotated session header carrying a secret.
    let accountCalls = 0;
    ade.server.use(
      sessionWithCanaries(),
      http.get(`${BASE}/account`, ({ request }) => {
        accountCalls += 1;
        if (request.headers.get('x-adm-auth-session') !== SESSION_2) {
          return new HttpResponse(`UNAUTHORIZED session=${SESSION_1}`, { status: 401 });
        }
        return HttpResponse.json(
          { server_name: 'x', server_uuid: 'y' },
          { headers: { 'X-ADM-Auth-Session': SESSION_1 } },
        );
      }),
    );
    await client.getAccount();
    expect(accountCalls).toBe(2);
    expect(cache.get(sessionCacheKey(testToken()))).toBe(SESSION_1);

    // 2. T&C on an endpoint whose body echoes the session and token secrets.
    ade.server.use(
      http.post(
        `${BASE}/devices`,
        () =>
          new HttpResponse(
            `T_C_NOT_SIGNED x-adm-auth-session: ${SESSION_1} access_secret=${SECRETS.accessSecret} ${SECRETS.consumerSecret}`,
            { status: 403 },
          ),
      ),
    );
    const terms = await client.getDeviceDetails(['S1']).catch((e: unknown) => e);
    expect(isAbmError(terms, 'TERMS_NOT_SIGNED')).toBe(true);
    assertErrorClean(terms);

    // 3. 500 with secrets in the body.
    ade.server.use(
      http.post(
        `${BASE}/devices/disown`,
        () =>
          new HttpResponse(
            `internal error auth_session_token="${SESSION_2}" ${SECRETS.accessToken}`,
            { status: 500 },
          ),
      ),
    );
    const server = await client.disownDevices(['S1']).catch((e: unknown) => e);
    expect(isAbmError(server, 'SERVER_ERROR')).toBe(true);
    assertErrorClean(server);

    // 4. Network failure (cause chain) and malformed JSON.
    ade.server.use(http.get(`${BASE}/os-beta-enrollment/tokens`, () => HttpResponse.error()));
    assertErrorClean(await client.getBetaEnrollmentTokens().catch((e: unknown) => e));
    ade.server.use(
      http.get(`${BASE}/device/replacementDetails`, () => new HttpResponse(`{"x":"${SESSION_1}`)),
    );
    assertErrorClean(await client.getReplacementDetails('S1').catch((e: unknown) => e));

    expect(lines.length).toBeGreaterThan(0);
    assertClean('logger calls', inspect(lines, { depth: Number.POSITIVE_INFINITY }));
  });

  it('/session failures keep no body and leak nothing', async () => {
    const { logger, lines } = recordingLogger();
    for (const body of ['T_C_NOT_SIGNED', 'token_rejected', 'garbage']) {
      ade.server.use(
        http.get(
          `${BASE}/session`,
          () =>
            new HttpResponse(
              `${body} oauth_signature=${SECRETS.accessSecret} ${SECRETS.consumerSecret}`,
              { status: 403 },
            ),
        ),
      );
      const err = await makeClient({ logger })
        .getAccount()
        .catch((e: unknown) => e);
      assertErrorClean(err);
      expect((err as { bodyExcerpt?: string }).bodyExcerpt).toBeUndefined();
    }
    assertClean('logger calls', inspect(lines, { depth: Number.POSITIVE_INFINITY }));
  });

  it('the client object itself does not print the token', () => {
    const client = makeClient();
    assertClean(
      'inspect(client)',
      inspect(client, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    );
    assertClean('JSON(client)', JSON.stringify(client));
  });
});
