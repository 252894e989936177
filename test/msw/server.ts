import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { oauth1Header, parseOAuth1Header } from '../../src/auth/oauth1.js';
import { BASE, testToken } from './fixtures.js';

/** One request the fake server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: string;
  /** Resolves to the request body once it has been read. */
  bodyText: Promise<string>;
}

/**
 * Starts an msw server for the test file (`onUnhandledRequest: 'error'`), records every request,
 * and resets handlers and the log after each test.
 */
export function useAde() {
  const server = setupServer();
  const seen: SeenRequest[] = [];
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    const copy = request.clone();
    const entry: SeenRequest = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: new Headers(request.headers),
      body: '',
      bodyText: copy.text().then((t) => {
        entry.body = t;
        return t;
      }),
    };
    seen.push(entry);
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    seen.length = 0;
  });
  afterAll(() => server.close());
  return {
    server,
    seen,
    /** Requests to `path` (optionally with `method`). */
    count(path: string, method?: string): number {
      return seen.filter((r) => r.path === path && (method === undefined || r.method === method))
        .length;
    },
    /** The parsed JSON body of the `index`-th request to `path`. */
    async json(path: string, index = 0): Promise<unknown> {
      const text = await seen.filter((r) => r.path === path)[index]?.bodyText;
      return text ? JSON.parse(text) : undefined;
    },
    requests(path: string): SeenRequest[] {
      return seen.filter((r) => r.path === path);
    },
  };
}

/**
 * `GET /session` handler that verifies the OAuth1 signature against the test token and hands out
 * `session-1`, `session-2`, … (or `respond` instead).
 */
export function sessionHandler(respond?: (request: Request) => Response | Promise<Response>) {
  let n = 0;
  const token = testToken();
  return http.get(`${BASE}/session`, async ({ request }) => {
    if (respond) return respond(request);
    const params = parseOAuth1Header(request.headers.get('authorization') ?? '');
    const expected = parseOAuth1Header(
      oauth1Header({
        method: 'GET',
        url: request.url,
        consumerKey: token.consumerKey,
        consumerSecret: token.consumerSecret,
        accessToken: token.accessToken,
        accessSecret: token.accessSecret,
        nonce: params['oauth_nonce'] ?? '',
        timestamp: params['oauth_timestamp'] ?? '0',
      }),
    );
    if (params['oauth_signature'] !== expected['oauth_signature']) {
      return new HttpResponse('signature_invalid', { status: 401 });
    }
    n += 1;
    return HttpResponse.json({ auth_session_token: `session-${n}` });
  });
}

/** Answers 401 unless the request carries one of `valid` sessions. */
export function requireSession(request: Request, valid: readonly string[]): Response | undefined {
  const session = request.headers.get('x-adm-auth-session') ?? '';
  return valid.includes(session) ? undefined : new HttpResponse('UNAUTHORIZED', { status: 401 });
}
