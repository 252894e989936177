/**
 * `nodeHttpFetch()` against real loopback servers: what abmkit's clients rely on from a fetch
 * (statuses, headers, streamed and compressed bodies, no redirects, aborts, failures shaped like
 * fetch's) and its own promises (connections kept and shared, `close()`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, type NodeHttpFetch, nodeHttpFetch } from '../../src/index.js';

interface Served {
  url: string;
  /** Connections the server accepted so far. */
  connections: () => number;
  /** Connections currently open. */
  open: () => number;
}

const servers: Server[] = [];
const fetches: NodeHttpFetch[] = [];
afterEach(async () => {
  for (const f of fetches.splice(0)) f.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<Served> {
  let connections = 0;
  let open = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', (socket) => {
    connections++;
    open++;
    socket.on('close', () => open--);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    open: () => open,
  };
}

function make(): NodeHttpFetch {
  const f = nodeHttpFetch();
  fetches.push(f);
  return f;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('nodeHttpFetch', () => {
  it('sends the method, headers and body, and answers with status, headers and body', async () => {
    const server = await serve((req, res, body) => {
      res.writeHead(201, 'Made', {
        'content-type': 'application/json',
        'x-adm-auth-session': 's2',
      });
      res.end(
        JSON.stringify({
          method: req.method,
          type: req.headers['content-type'],
          length: req.headers['content-length'],
          body,
        }),
      );
    });
    const response = await make()(`${server.url}/devices`, {
      method: 'post',
      headers: new Headers({ 'content-type': 'application/json' }),
      body: '{"limit":1000}',
    });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Made');
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-adm-auth-session')).toBe('s2');
    expect(await response.json()).toEqual({
      method: 'POST',
      type: 'application/json',
      length: '14',
      body: '{"limit":1000}',
    });
  });

  it('decodes gzip and br bodies, as fetch does', async () => {
    const text = JSON.stringify({ devices: Array.from({ length: 200 }, (_, i) => ({ i })) });
    const server = await serve((req, res) => {
      const br = req.url === '/br';
      res.writeHead(200, { 'content-encoding': br ? 'br' : 'gzip' });
      res.end(br ? brotliCompressSync(text) : gzipSync(text));
    });
    const f = make();
    expect(await (await f(`${server.url}/gz`)).text()).toBe(text);
    expect(await (await f(`${server.url}/br`)).text()).toBe(text);
  });

  it('follows no redirect: the 3xx comes back as it is', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://elsewhere.example/steal' });
      res.end();
    });
    const response = await make()(`${server.url}/session`, { redirect: 'follow' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://elsewhere.example/steal');
  });

  it('gives no body for HEAD and 204', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const f = make();
    expect((await f(server.url)).body).toBeNull();
    expect((await f(server.url, { method: 'HEAD' })).body).toBeNull();
  });

  it('keeps one connection for requests one after another, and close() ends it', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const f = make();
    for (let i = 0; i < 3; i++) expect(await (await f(server.url)).text()).toBe('ok');
    expect(server.connections()).toBe(1);
    f.close();
    await until(() => server.open() === 0);
  });

  it('rejects with the abort reason before the answer, and errors the body after it', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/late') return; // never answers
      res.writeHead(200);
      res.write('{"partial":');
    });
    const f = make();
    const before = new AbortController();
    const pending = f(`${server.url}/late`, { signal: before.signal });
    before.abort(new Error('stop now'));
    await expect(pending).rejects.toThrow('stop now');

    const during = new AbortController();
    const response = await f(`${server.url}/body`, { signal: during.signal });
    const reading = response.text();
    during.abort(new Error('stop reading'));
    await expect(reading).rejects.toThrow('stop reading');

    const already = AbortSignal.abort(new Error('aborted already'));
    await expect(f(server.url, { signal: already })).rejects.toThrow('aborted already');
  });

  it('fails like fetch: a refused connection, a body cut off', async () => {
    const gone = await serve(() => {});
    const url = gone.url;
    const server = servers.pop() as Server;
    await new Promise((resolve) => server.close(resolve));
    const refused = await make()(url).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as Error).message).toBe('fetch failed');
    expect(((refused as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');

    const cut = await serve((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"cut":');
      setTimeout(() => req.socket.destroy(), 5);
    });
    const response = await make()(cut.url);
    const error = await response.text().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('terminated');
  });

  it('refuses what it does not send, with errors that say so', async () => {
    const f = make();
    const stream = new ReadableStream({
      start(c) {
        c.close();
      },
    });
    await expect(f('http://127.0.0.1:9/', { method: 'POST', body: stream })).rejects.toThrow(
      /string, Uint8Array, ArrayBuffer or URLSearchParams/,
    );
    await expect(f('ftp://example.com/x')).rejects.toThrow(/ftp: URLs are not supported/);
    await expect(f('not a url')).rejects.toThrow(TypeError);
    expect(() => nodeHttpFetch({ keepAliveTimeoutMs: 0 })).toThrow(InvalidArgumentError);
  });
});
