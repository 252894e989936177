import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** A `node:http` request listener, from {@link toNodeHandler}. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Adapts a web-standard handler (such as {@link createAdminHandler}'s) to `node:http`: the
 * request becomes a `Request` (body streamed, aborted when the client goes away) and the
 * `Response` is streamed back (Server-Sent Events included).
 *
 * @param origin - The scheme and host used to build request URLs. @default from the Host header
 */
export function toNodeHandler(
  handler: (request: Request) => Promise<Response>,
  origin?: string,
): NodeRequestListener {
  return (req, res) => {
    const controller = new AbortController();
    res.once('close', () => controller.abort());
    const base = origin ?? `http://${req.headers.host ?? 'localhost'}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    const method = req.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: controller.signal };
    if (hasBody) {
      init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
    let request: Request;
    try {
      request = new Request(new URL(req.url ?? '/', base), init);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request');
      return;
    }
    handler(request)
      .then(async (response) => {
        const out: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => {
          out[name] = value;
        });
        res.writeHead(response.status, out);
        res.flushHeaders();
        if (response.body === null) {
          res.end();
          return;
        }
        const reader = response.body.getReader();
        controller.signal.addEventListener(
          'abort',
          () => void reader.cancel().catch(() => undefined),
          {
            once: true,
          },
        );
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
        res.end();
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end();
      });
  };
}
