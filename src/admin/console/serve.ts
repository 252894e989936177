import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AbmManager } from '../../manager/abm-manager.js';
import type { AbmStorage } from '../../storage/types.js';
import { type AdminHandler, createAdminHandler } from '../handler.js';
import { toNodeHandler } from '../node-adapter.js';
import page from './page.html';

/** Options of {@link startConsole}. @internal */
export interface ConsoleOptions {
  storage?: AbmStorage | undefined;
  baseUrl?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  /** The access key the page sends as a bearer token. @default 32 random bytes, hex */
  key?: string | undefined;
}

/** A running console. @internal */
export interface RunningConsole {
  url: string;
  server: Server;
  handler: AdminHandler;
  close(): Promise<void>;
}

/**
 * Serves the admin console page at `/` and the admin API under `/api` on one loopback port.
 * Every API request must carry the access key (`Authorization: Bearer <key>`); the page reads it
 * from the URL fragment, which browsers never send to the server.
 * @internal
 */
export async function startConsole(
  manager: AbmManager,
  options: ConsoleOptions = {},
): Promise<RunningConsole> {
  const key = Buffer.from(options.key ?? randomBytes(32).toString('hex'));
  const handler = createAdminHandler(manager, {
    basePath: '/api',
    storage: options.storage,
    baseUrl: options.baseUrl,
    authorize: (request) => {
      const given = Buffer.from(
        (request.headers.get('authorization') ?? '').replace(/^Bearer /, ''),
      );
      return given.length === key.length && timingSafeEqual(given, key);
    },
  });
  const api = toNodeHandler(handler);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api' || path?.startsWith('/api/')) {
      api(req, res);
      return;
    }
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      const nonce = randomBytes(16).toString('base64');
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      });
      res.end(page.replaceAll('__NONCE__', nonce));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8790, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/#key=${key.toString()}`,
    server,
    handler,
    close: async () => {
      handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
