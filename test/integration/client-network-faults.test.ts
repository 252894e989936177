import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AbmClient, ConnectionError, type NodeHttpFetch } from '../../src/index.js';
import { FAST_RETRY, testToken } from '../msw/fixtures.js';
import { overTransports } from './transports.js';

const ACCOUNT = { server_name: 'Loopback MDM', server_uuid: 'u-1' };

let servers: Server[] = [];
afterEach(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  servers = [];
});

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

/** A real loopback server: `/session` always succeeds, other paths go to `handler`. */
async function serve(handler: Handler): Promise<{ url: string; hits: Map<string, number> }> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://loopback').pathname;
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      if (path === '/session') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ auth_session_token: 'loopback-session' }));
        return;
      }
      handler(req, res, hit);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** Sends headers and half a body, then kills the connection. */
function breakMidBody(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
  res.write('{"server_name":"Loop');
  setTimeout(() => req.socket.destroy(), 5);
}

function client(url: string): AbmClient {
  return new AbmClient({
    token: testToken(),
    baseUrl: url,
    retry: FAST_RETRY,
    ...(transport === undefined ? {} : { fetch: transport }),
  });
}

/** The transport of the running block (see overTransports). */
let transport: NodeHttpFetch | undefined;

overTransports(
  (fetch) => {
    transport = fetch;
  },
  () => {
    describe('connection broken while the response body arrives', () => {
      it('retries a safe operation', async () => {
        const { url, hits } = await serve((req, res, hit) => {
          if (hit === 1) return breakMidBody(req, res);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(ACCOUNT));
        });
        await expect(client(url).getAccount()).resolves.toMatchObject(ACCOUNT);
        expect(hits.get('/account')).toBe(2);
      });

      it('does not replay an unsafe operation (Apple may have processed it)', async () => {
        const { url, hits } = await serve((req, res) => breakMidBody(req, res));
        const err = await client(url)
          .disownDevices(['C02XXXXXXXXX'])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConnectionError);
        expect(hits.get('/devices/disown')).toBe(1);
      });
    });
  },
);
