import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_MACHINE_INFO_BASE64 } from './limits.js';

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /** Origin used to build the request URL. @default `http://<Host header>` */
  origin?: string | undefined;
  /** Most time allowed to receive the body. @default 15000 */
  bodyTimeoutMs?: number | undefined;
}

function readNodeBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (value: Buffer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.removeAllListeners('data');
      if (value === undefined) req.resume();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) finish(undefined);
      else chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish(undefined));
  });
}

/**
 * Adapts a web-standard handler (from {@link createEnrollmentHandler}) to a `node:http` listener,
 * for `http.createServer`, Express, Fastify (`reply.hijack()`), Koa (`ctx.respond = false`). The
 * body is read with a size and time limit; mount it before any body-parsing middleware.
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const timeoutMs = options.bodyTimeoutMs ?? 15_000;
  return (req, res) => {
    void (async () => {
      const method = (req.method ?? 'GET').toUpperCase();
      const hasBody = method !== 'GET' && method !== 'HEAD';
      const body = hasBody
        ? await readNodeBody(req, MAX_MACHINE_INFO_BASE64, timeoutMs)
        : Buffer.alloc(0);
      let response: Response;
      if (body === undefined) {
        response = new Response('Malformed request (body too large or too slow).', {
          status: 400,
          headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' },
        });
      } else {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) {
          if (v === undefined) continue;
          for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
        }
        const host = /^[A-Za-z0-9.:[\]-]{1,255}$/.test(req.headers.host ?? '')
          ? req.headers.host
          : 'localhost';
        const url = new URL(req.url ?? '/', options.origin ?? `http://${host}`);
        response = await handler(
          new Request(url, { method, headers, ...(hasBody ? { body } : {}) }),
        );
      }
      const out = Buffer.from(await response.arrayBuffer());
      const headerObj: Record<string, string> = {};
      response.headers.forEach((v, k) => {
        headerObj[k] = v;
      });
      res.writeHead(response.status, { ...headerObj, 'content-length': String(out.length) });
      res.end(out);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Enrollment temporarily unavailable.');
    });
  };
}
