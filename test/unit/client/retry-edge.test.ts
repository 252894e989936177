import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { BASE } from '../../msw/fixtures.js';
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
