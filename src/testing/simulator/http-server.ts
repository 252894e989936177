/**
 * Front end (a): real HTTP on a loopback port with `node:http`.
 *
 * @internal
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionError } from '../../errors/index.js';
import type { SimRequest, SimResponse } from './types.js';

const MAX_BODY = 8 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toSimRequest(req: IncomingMessage, body: string): SimRequest {
  const host = req.headers.host ?? '127.0.0.1';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
    url: url.href,
  };
}

/** @internal A started loopback server. */
export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** @internal Starts the HTTP front end on `host:port` (port 0 = any free port). */
export async function startHttpServer(
  handle: (req: SimRequest) => Promise<SimResponse>,
  port: number,
  host: string,
): Promise<LoopbackServer> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await readBody(req);
      if (body === undefined) {
        res
          .writeHead(413, { 'content-type': 'text/plain;charset=UTF8', connection: 'close' })
          .end('MALFORMED_REQUEST_BODY');
        return;
      }
      const answer = await handle(toSimRequest(req, body));
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, {
        ...answer.headers,
        'content-length': Buffer.byteLength(answer.body),
      });
      res.end(answer.body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain;charset=UTF8' });
      res.end('INTERNAL_SERVER_ERROR');
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new ConnectionError(
          `The ADE simulator could not listen on ${host}:${port}; pick another port.`,
          { cause },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
