import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { AbmClient, InvalidArgumentError, isAbmError } from '../../../src/index.js';
import { BASE, testToken } from '../../msw/fixtures.js';
import { sessionHandler, useAde } from '../../msw/server.js';
import { ACCOUNT, makeClient } from './helpers.js';

const ade = useAde();

/** Answers `failures` in order, then succeeds with `ok`. */
function sequence(path: string, failures: (() => Response)[], ok: () => Response) {
  let i = 0;
  return http.get(`${BASE}${path}`, () => {
    const next = failures[i++];
    return next ? next() : ok();
  });
}

describe('Retry-After edge cases', () => {
  it('falls back to normal backoff when Retry-After is neither seconds nor a date', async () => {
    ade.server.use(
      sessionHandler(),
      sequence(
        '/account',
        [
          () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': 'soon' } }),
          () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '' } }),
        ],
        () => HttpResponse.json(ACCOUNT),
      ),
    );
    // ky treats an unparsable value as "wait maxRetryAfter": with a 10-minute cap the call would
    // run into its 3 s deadline instead of retrying after the (1 ms) backoff.
    const client = makeClient({
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 600_000, jitter: false },
      deadlineMs: 3_000,
    });
    await expect(client.getAccount()).resolves.toMatchObject(ACCOUNT);
    expect(ade.count('/account')).toBe(3);
  });
});

describe('duration options', () => {
  it('rejects a non-positive or NaN per-call deadline with InvalidArgumentError, not a RangeError', async () => {
    const client = makeClient();
    for (const deadlineMs of [0, -1, Number.NaN]) {
      const err = await client.getAccount({ deadlineMs }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
    }
    expect(ade.seen).toHaveLength(0);
  });

  it('treats a deadline or timeout beyond the largest timer (Infinity included) as that limit', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, () => HttpResponse.json(ACCOUNT)),
    );
    const client = makeClient();
    await expect(
      client.getAccount({ deadlineMs: Number.POSITIVE_INFINITY }),
    ).resolves.toMatchObject(ACCOUNT);
    await expect(client.getAccount({ deadlineMs: 5e9 })).resolves.toMatchObject(ACCOUNT);
    const long = makeClient({ timeoutMs: 3e9, deadlineMs: Number.POSITIVE_INFINITY });
    await expect(long.getAccount()).resolves.toMatchObject(ACCOUNT);
  });

  it('rejects invalid client-wide durations when the client is built', () => {
    for (const bad of [0, -5, Number.NaN]) {
      let thrown: unknown;
      try {
        new AbmClient({ token: testToken(), baseUrl: BASE, deadlineMs: bad });
      } catch (e) {
        thrown = e;
      }
      expect(isAbmError(thrown, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});
