import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a hostile loopback server saw it. */
export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A small real HTTP server on 127.0.0.1 whose answers the test writes by hand. */
export interface Loopback {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

/**
 * Starts a loopback server. `/session` answers a session token unless `handler` takes it
 * (return `true` from `session` to let the handler answer it).
 */
export async function loopback(
  handler: Handler,
  opts: { session?: boolean } = {},
): Promise<Loopback> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://loopback').pathname;
      const entry: Seen = {
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      if (path === '/session' && opts.session !== true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ auth_session_token: 'loopback-session-token' }));
        return;
      }
      handler(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Answers with `status` and then one byte of body every `everyMs`, never ending (until the
 * client goes away or the server closes).
 */
export function trickle(res: ServerResponse, status: number, everyMs = 20): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.write('{');
  const timer = setInterval(() => {
    if (res.destroyed || res.writableEnded) {
      clearInterval(timer);
      return;
    }
    res.write(' ');
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/** Sends `total` bytes of JSON-ish filler in 64 KiB chunks, honouring back-pressure. */
export function flood(
  res: ServerResponse,
  total: number,
  headers: Record<string, string> = {},
): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const pump = (): void => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => {});
  pump();
}

/** JSON answer. */
export function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
