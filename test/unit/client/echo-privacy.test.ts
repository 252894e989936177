import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { type AbmApiError, type AbmLogger, isAbmError } from '../../../src/index.js';
import { BASE } from '../../msw/fixtures.js';
import { useAde } from '../../msw/server.js';
import { makeClient } from './helpers.js';

const ade = useAde();

// Apple's session tokens are opaque hex, so no pattern can recognise one in free text. Secrets
// without Apple's CS_/AT_/AS_ prefixes (a simulator's, a proxy's) are no easier.
const SESSION = 'a3f09c1d7be24c55e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7';
const CONSUMER_SECRET = 'plain-consumer-secret-7f3e9a';
const ACCESS_SECRET = 'plain-access-secret-2b8c4d';
const ACCESS_TOKEN = 'plain-access-token-9d1e5f';
const CANARIES = [SESSION, CONSUMER_SECRET, ACCESS_SECRET, ACCESS_TOKEN];

function client(logger?: AbmLogger) {
  return makeClient({
    token: {
      consumerKey: 'CK_echo_test',
      consumerSecret: CONSUMER_SECRET,
      accessToken: ACCESS_TOKEN,
      accessSecret: ACCESS_SECRET,
      accessTokenExpiry: new Date(Date.now() + 86_400_000),
    },
    retry: { limit: 0 },
    ...(logger ? { logger } : {}),
  });
}

function expectClean(err: unknown): void {
  expect(isAbmError(err)).toBe(true);
  const e = err as AbmApiError;
  const views = [
    e.message,
    e.stack ?? '',
    e.bodyExcerpt ?? '',
    JSON.stringify(e),
    inspect(e, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
  ];
  for (const view of views) for (const secret of CANARIES) expect(view).not.toContain(secret);
}

describe('error bodies that echo secrets in free text', () => {
  it('never keep the session token or the token secrets, whatever the wording', async () => {
    const echo = `Request rejected. Session ${SESSION} (signed by ${CONSUMER_SECRET} / ${ACCESS_SECRET}, token ${ACCESS_TOKEN}) is not allowed here.`;
    ade.server.use(
      http.get(`${BASE}/session`, () => HttpResponse.json({ auth_session_token: SESSION })),
      http.post(`${BASE}/devices`, () => new HttpResponse(`MALFORMED ${echo}`, { status: 400 })),
      http.get(`${BASE}/account`, () => new HttpResponse(echo, { status: 502 })),
      http.post(
        `${BASE}/devices/disown`,
        () => new HttpResponse(`T_C_NOT_SIGNED ${echo}`, { status: 403 }),
      ),
    );
    const lines: unknown[] = [];
    const log = (...args: unknown[]) => lines.push(args);
    const c = client({ debug: log, info: log, warn: log, error: log });
    const malformed = await c.getDeviceDetails(['S1']).catch((e: unknown) => e);
    expect((malformed as AbmApiError).bodyExcerpt).toContain('[REDACTED]');
    expectClean(malformed);
    expectClean(await c.getAccount().catch((e: unknown) => e));
    expectClean(await c.disownDevices(['S1']).catch((e: unknown) => e));
    const logged = inspect(lines, { depth: Number.POSITIVE_INFINITY });
    for (const secret of CANARIES) expect(logged).not.toContain(secret);
  });
});
