/**
 * The client against small hostile servers on real loopback HTTP: redirects, bodies that trickle,
 * bodies that never end, pages larger than asked, and cursors that cycle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AbmClient,
  type AbmClientOptions,
  type DevicePage,
  isAbmError,
  type NodeHttpFetch,
} from '../../../src/index.js';
import { device, FAST_RETRY, testToken } from '../../msw/fixtures.js';
import { overTransports } from '../transports.js';
import { flood, json, type Loopback, loopback, trickle } from './loopback.js';

const ACCOUNT = { server_name: 'Loopback MDM', server_uuid: 'u-1' };
const SESSION = 'loopback-session-token';

let open: Loopback[] = [];
afterEach(async () => {
  for (const server of open) await server.close();
  open = [];
});

async function serve(...args: Parameters<typeof loopback>): Promise<Loopback> {
  const server = await loopback(...args);
  open.push(server);
  return server;
}

function client(url: string, overrides: Partial<AbmClientOptions> = {}): AbmClient {
  return new AbmClient({
    token: testToken(),
    baseUrl: url,
    retry: FAST_RETRY,
    ...(transport === undefined ? {} : { fetch: transport }),
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

/** The transport of the running block (see overTransports). */
let transport: NodeHttpFetch | undefined;

overTransports(
  (fetch) => {
    transport = fetch;
  },
  () => {
    describe('redirects', () => {
      it('follows no redirect: the other origin never sees the session or the body', async () => {
        const other = await serve((_req, res) => json(res, ACCOUNT));
        const base = await serve((_req, res, seen) => {
          res.writeHead(307, { location: `${other.url}${seen.path}` });
          res.end();
        });
        const error = await failure(client(base.url).assignProfile('p-1', ['SN000001']));
        expect(isAbmError(error, 'REDIRECT_REFUSED')).toBe(true);
        expect(error).toMatchObject({
          status: 307,
          location: other.url,
          operation: 'assignProfile',
        });
        expect(String((error as Error).message)).toMatch(
          /redirect \(HTTP 307 to http:\/\/127\.0\.0\.1/,
        );
        expect(other.seen).toEqual([]);
        // Not retried: the same answer would come back.
        expect(base.seen.filter((s) => s.path === '/profile/devices')).toHaveLength(1);
      });

      it('refuses a redirect of the OAuth login and of a same-origin path too', async () => {
        const other = await serve((_req, res) => json(res, { auth_session_token: 'stolen' }));
        const login = await serve(
          (_req, res) => {
            res.writeHead(302, { location: `${other.url}/session` });
            res.end();
          },
          { session: true },
        );
        expect(isAbmError(await failure(client(login.url).getAccount()), 'REDIRECT_REFUSED')).toBe(
          true,
        );
        expect(other.seen).toEqual([]);

        const same = await serve((_req, res, seen) => {
          if (seen.path === '/account') {
            res.writeHead(308, { location: '/elsewhere' });
            res.end();
          } else json(res, ACCOUNT);
        });
        const error = await failure(client(same.url).getAccount());
        expect(error).toMatchObject({ code: 'REDIRECT_REFUSED', status: 308, location: same.url });
        expect(same.seen.map((s) => s.path)).toEqual(['/session', '/account']);
      });

      it('refuses an answer that a caller-supplied fetch reached by following a redirect', async () => {
        const other = await serve((_req, res) => json(res, ACCOUNT));
        const base = await serve((_req, res) => {
          res.writeHead(301, { location: `${other.url}/account` });
          res.end();
        });
        // A fetch that ignores `redirect: 'manual'`: the answer is still refused.
        const following: typeof fetch = (input, init) =>
          fetch(input, { ...init, redirect: 'follow' });
        const error = await failure(client(base.url, { fetch: following }).getAccount());
        expect(error).toMatchObject({ code: 'REDIRECT_REFUSED', location: other.url });
      });
    });

    describe('bodies that trickle', () => {
      it('a 503 whose body never ends fails within the per-attempt timeout', async () => {
        const base = await serve((_req, res) => trickle(res, 503));
        const c = client(base.url, { timeoutMs: 300, retry: { ...FAST_RETRY, limit: 1 } });
        const error = await failure(c.getAccount());
        expect(error).toMatchObject({ code: 'TIMEOUT' });
        expect(String((error as Error).message)).toMatch(/within 300 ms/);
        expect(base.seen.filter((s) => s.path === '/account')).toHaveLength(2);
      });

      it('a trickling error body cannot outlive the call deadline', async () => {
        const base = await serve((_req, res) => trickle(res, 503));
        const c = client(base.url, { timeoutMs: 60_000, deadlineMs: 400 });
        const error = await failure(c.getAccount());
        expect(error).toMatchObject({ code: 'TIMEOUT' });
        expect(String((error as Error).message)).toMatch(/400 ms deadline/);
      });

      it('a trickling success body stops at the caller abort', async () => {
        const controller = new AbortController();
        const base = await serve((_req, res, seen) => {
          if (seen.path === '/account') {
            trickle(res, 200);
            setImmediate(() => controller.abort());
          }
        });
        const c = client(base.url, { timeoutMs: 60_000, deadlineMs: 60_000 });
        const error = await failure(c.getAccount({ signal: controller.signal }));
        expect(error).toMatchObject({ code: 'ABORTED' });
      });
    });

    describe('response size', () => {
      it('stops reading a streamed body at maxResponseBytes, with an error that says so', async () => {
        const base = await serve((_req, res, seen) => {
          if (seen.path === '/account') flood(res, 4 * 1024 * 1024);
        });
        const error = await failure(
          client(base.url, { maxResponseBytes: 1024 * 1024 }).getAccount(),
        );
        expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limitBytes: 1024 * 1024 });
        expect(String((error as Error).message)).toMatch(
          /sent a response to getAccount .* larger than maxResponseBytes \(1048576 bytes\)/,
        );
        expect(String((error as Error).message)).not.toMatch(/could not reach/i);
        // Not retried: the same answer would come back.
        expect(base.seen.filter((s) => s.path === '/account')).toHaveLength(1);
      });

      it('refuses a 1.5 GB Content-Length before reading it (default limit)', async () => {
        const base = await serve((_req, res, seen) => {
          if (seen.path !== '/account') return;
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': '1500000000',
          });
          res.write('{"server_name":');
        });
        const error = await failure(client(base.url).getAccount());
        expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limitBytes: 32 * 1024 * 1024 });
        expect(String((error as Error).message)).toMatch(/announced a response/);
      });

      it('rejects a bad maxResponseBytes at the door', () => {
        for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
          expect(() => client('http://127.0.0.1:1', { maxResponseBytes: bad })).toThrowError(
            /maxResponseBytes/,
          );
        }
      });
    });

    describe('device pages', () => {
      it('refuses a page with more devices than the limit asked for', async () => {
        const base = await serve((_req, res, seen) => {
          if (seen.path === '/server/devices' || seen.path === '/devices/sync') {
            const devices = Array.from({ length: 5 }, (_, i) => device(`SN${i}`));
            json(res, { devices, cursor: 'c1', more_to_follow: false });
          }
        });
        const c = client(base.url);
        const fetched = await failure(c.fetchDevices({ limit: 2 }));
        expect(fetched).toMatchObject({ code: 'RESPONSE_INVALID', operation: 'fetchDevices' });
        expect(String((fetched as Error).message)).toMatch(
          /carried 5 devices, more than the limit of 2/,
        );
        const synced = await failure(c.syncDevices({ cursor: 'c0', limit: 4 }));
        expect(synced).toMatchObject({ code: 'RESPONSE_INVALID', operation: 'syncDevices' });
        const paged = await failure(c.devicePages({ limit: 3 }).next());
        expect(paged).toMatchObject({ code: 'RESPONSE_INVALID' });
        await expect(c.fetchDevices({ limit: 5 })).resolves.toMatchObject({ cursor: 'c1' });
      });

      it('stops at a cursor cycle A, B, A with more_to_follow, not only at an immediate repeat', async () => {
        const next: Record<string, string> = { '': 'A', A: 'B', B: 'A' };
        const base = await serve((_req, res, seen) => {
          const sent = (JSON.parse(seen.body || '{}') as { cursor?: string }).cursor ?? '';
          json(res, {
            devices: [device(`SN-${sent || 'start'}`)],
            cursor: next[sent],
            more_to_follow: true,
          });
        });
        const pages: DevicePage[] = [];
        for await (const page of client(base.url).devicePages()) {
          pages.push(page);
          if (pages.length > 20) break; // without cycle detection the loop would never end
        }
        expect(pages.map((p) => [p.cursor, p.stalled])).toEqual([
          ['A', false],
          ['B', false],
          ['A', true],
        ]);
        expect(base.seen.filter((s) => s.path === '/server/devices')).toHaveLength(3);
      });

      it('stops after maxPages pages of a server that always has more', async () => {
        let n = 0;
        const base = await serve((_req, res) => {
          n += 1;
          json(res, { devices: [], cursor: `c${n}`, more_to_follow: true });
        });
        const pages: DevicePage[] = [];
        for await (const page of client(base.url).devicePages({ maxPages: 5 })) {
          pages.push(page);
          if (pages.length > 20) break;
        }
        expect(pages).toHaveLength(5);
        expect(pages.at(-1)).toMatchObject({ stalled: true, moreToFollow: true, cursor: 'c5' });
      });
    });

    describe('session header', () => {
      it('is only ever sent to the configured origin', async () => {
        const base = await serve((_req, res) => json(res, ACCOUNT));
        await client(base.url).getAccount();
        const sent = base.seen.filter((s) => s.headers['x-adm-auth-session'] === SESSION);
        expect(sent.map((s) => s.path)).toEqual(['/account']);
      });
    });

    describe('bodies read as streams', () => {
      it('decode like Response.text(): a UTF-8 BOM before the JSON is accepted', async () => {
        const base = await serve((_req, res, seen) => {
          if (seen.path !== '/account') return;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(ACCOUNT))]),
          );
        });
        await expect(client(base.url).getAccount()).resolves.toMatchObject(ACCOUNT);
      });
    });
  },
);
