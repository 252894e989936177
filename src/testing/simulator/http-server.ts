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

/**
 * @internal Requests under `prefix` (e.g. `/_sim/`, also matched without the trailing slash) go
 * to `handle` instead of the ADE core, with their own body limit and 413 answer. Front ends of
 * other fake services mount themselves the same way.
 */
export interface HttpMount {
  prefix: string;
  maxBodyBytes: number;
  handle(req: SimRequest): Promise<SimResponse>;
  /** The answer to a body over `maxBodyBytes`. */
  tooLarge(): SimResponse;
}

function mountFor(mounts: readonly HttpMount[], path: string): HttpMount | undefined {
  return mounts.find((m) => path.startsWith(m.prefix) || `${path}/` === m.prefix);
}

/**
 * Keeps at most `limit` bytes; a larger body is drained (read and dropped, so the client gets the
 * answer instead of a reset) up to MAX_BODY, and reported as `undefined`.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > Math.max(limit, MAX_BODY)) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > Math.max(limit, MAX_BODY)) return undefined;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? undefined : Buffer.concat(chunks).toString('utf8');
}

function toSimRequest(req: IncomingMessage, url: URL, body: string): SimRequest {
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

const APPLE_TOO_LARGE: SimResponse = {
  status: 413,
  headers: { 'content-type': 'text/plain;charset=UTF8', connection: 'close' },
  body: 'MALFORMED_REQUEST_BODY',
};

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
  mounts: readonly HttpMount[] = [],
): Promise<LoopbackServer> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const mount = mountFor(mounts, url.pathname);
      const body = await readBody(req, mount?.maxBodyBytes ?? MAX_BODY);
      const answer =
        body === undefined
          ? (mount?.tooLarge() ?? APPLE_TOO_LARGE)
          : await (mount?.handle ?? handle)(toSimRequest(req, url, body));
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
