import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../errors/index.js';

/** Options of {@link nodeHttpFetch}. */
export interface NodeHttpFetchOptions {
  /**
   * Agent for `http:` URLs (a simulator, a local gateway). Pass your own to control connections
   * or to go through a proxy. @default a keep-alive agent of this fetch
   */
  httpAgent?: HttpAgent | undefined;
  /**
   * Agent for `https:` URLs (Apple). Pass your own for extra CAs, client certificates or a proxy:
   * this fetch does not use undici's global dispatcher or `HTTPS_PROXY`. @default a keep-alive
   * agent of this fetch
   */
  httpsAgent?: HttpsAgent | undefined;
  /** How long an idle connection of the default agents waits for the next request. @default 4000 */
  keepAliveTimeoutMs?: number | undefined;
}

/**
 * A `fetch` on Node's own `http` and `https` modules: the subset abmkit's clients use, for
 * `AbmClientOptions.fetch` / `AbmManagerOptions.fetch`. It costs a fraction of the CPU of
 * `globalThis.fetch` per request (see docs/performance.md), which counts when one process syncs
 * thousands of tokens. {@link NodeHttpFetch.close} closes its idle connections.
 */
export interface NodeHttpFetch {
  /** Sends one request; the answer is a standard `Response` whose body streams. */
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Closes the idle connections of the agents this fetch made (not of agents passed in). */
  close(): void;
}

const NO_BODY_STATUS = new Set([204, 205, 304]);

/**
 * Makes a {@link NodeHttpFetch}: keep-alive connections shared by every client it is given to
 * (pass one to `AbmManager` and all its tokens share them), bodies streamed and decompressed
 * (gzip, deflate, br), and the differences from `globalThis.fetch` that an ADE client wants:
 *
 * - **No redirect is followed**, whatever `redirect` says: a 3xx comes back as it is (abmkit
 *   refuses it, since a followed redirect would carry the session to another host).
 * - **Bodies** are strings, `Uint8Array`s, `ArrayBuffer`s or `URLSearchParams`; a stream body
 *   is refused with a `TypeError`.
 * - **Failures** look like fetch's: a connection that cannot be made rejects with
 *   `TypeError('fetch failed')` whose `cause` is Node's error (with its `code`); a body cut off
 *   errors its stream with `TypeError('terminated')`; an abort rejects with the signal's reason.
 * - **Proxies and CAs** come from the agents: undici's global dispatcher, `HTTPS_PROXY` and
 *   `NODE_USE_ENV_PROXY` do not apply (keep `globalThis.fetch` for those, or pass an agent).
 *
 * @example
 * ```ts
 * const fetch = nodeHttpFetch();
 * const manager = new AbmManager({ storage, fetch });
 * // … on shutdown, after manager.stop():
 * fetch.close();
 * ```
 */
export function nodeHttpFetch(options: NodeHttpFetchOptions = {}): NodeHttpFetch {
  const keepAliveMs = options.keepAliveTimeoutMs ?? 4000;
  if (!Number.isFinite(keepAliveMs) || keepAliveMs <= 0) {
    throw new InvalidArgumentError(
      `nodeHttpFetch: keepAliveTimeoutMs must be a positive number of milliseconds (got ${String(options.keepAliveTimeoutMs)}).`,
    );
  }
  const http = process.getBuiltinModule('node:http');
  const https = process.getBuiltinModule('node:https');
  const own: { http?: HttpAgent; https?: HttpsAgent } = {};
  const agentFor = (protocol: string): HttpAgent => {
    if (protocol === 'https:') {
      if (options.httpsAgent !== undefined) return options.httpsAgent;
      own.https ??= new https.Agent({ keepAlive: true, timeout: keepAliveMs, scheduling: 'lifo' });
      return own.https;
    }
    if (options.httpAgent !== undefined) return options.httpAgent;
    own.http ??= new http.Agent({ keepAlive: true, timeout: keepAliveMs, scheduling: 'lifo' });
    return own.http;
  };
  const fetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    let url: URL;
    try {
      url = new URL(request === undefined ? String(input) : request.url);
    } catch (error) {
      return Promise.reject(new TypeError('Invalid URL', { cause: error }));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(new TypeError(`nodeHttpFetch: ${url.protocol} URLs are not supported`));
    }
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    const given = init.headers ?? request?.headers;
    if (given !== undefined) {
      (given instanceof Headers ? given : new Headers(given)).forEach((value, key) => {
        headers[key] = value;
      });
    }
    let payload: string | Uint8Array | undefined;
    try {
      payload = bodyOf(init.body, headers);
    } catch (error) {
      return Promise.reject(error);
    }
    if (payload === undefined && request?.body != null) {
      return Promise.reject(
        new TypeError('nodeHttpFetch: a Request with a stream body is not supported'),
      );
    }
    if (payload !== undefined) {
      headers['content-length'] = String(
        typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength,
      );
    }
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    const signal = init.signal ?? request?.signal ?? undefined;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let answered = false;
      const req = transport.request(
        url,
        { method, headers, agent: agentFor(url.protocol) },
        (res: IncomingMessage) => {
          answered = true;
          // From here the abort listener serves the body, until the response closes.
          if (signal !== undefined) {
            res.once('close', () => signal.removeEventListener('abort', onAbort));
          }
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          const raw = res.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
          const empty = method === 'HEAD' || NO_BODY_STATUS.has(status);
          if (empty) {
            // Nothing to read; a connection lost now must not surface as an unhandled error.
            res.on('error', () => {});
            res.resume();
          }
          try {
            resolve(
              new Response(empty ? null : webBody(res, signal), {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders,
              }),
            );
          } catch (error) {
            res.destroy();
            reject(new TypeError('fetch failed', { cause: error }));
          }
        },
      );
      const onAbort = (): void => {
        req.destroy(signal?.reason as Error);
        if (!answered) reject(signal?.reason);
      };
      if (signal !== undefined) {
        signal.addEventListener('abort', onAbort, { once: true });
        req.once('close', () => {
          // The response (when there is one) keeps listening until its body is done.
          if (!answered) signal.removeEventListener('abort', onAbort);
        });
      }
      req.on('error', (error: Error) => {
        if (answered) return;
        answered = true;
        reject(
          signal?.aborted === true
            ? signal.reason
            : new TypeError('fetch failed', { cause: error }),
        );
      });
      req.end(payload);
    });
  };
  return Object.assign(fetch, {
    close(): void {
      own.http?.destroy();
      own.https?.destroy();
    },
  });
}

/** The request body as Node sends it (and its content type where fetch would set one). */
function bodyOf(
  body: RequestInit['body'],
  headers: Record<string, string>,
): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
    return body;
  }
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    return body.toString();
  }
  throw new TypeError(
    'nodeHttpFetch sends string, Uint8Array, ArrayBuffer or URLSearchParams bodies; pass globalThis.fetch for others',
  );
}

/**
 * The response body as a web stream: decompressed like fetch does, paused while the reader is
 * behind, and failing like fetch's (`TypeError('terminated')`, or the abort's reason).
 */
function webBody(
  res: IncomingMessage,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const source = decoded(res);
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (error: unknown): void => {
          if (done) return;
          done = true;
          controller.error(
            signal?.aborted === true
              ? signal.reason
              : new TypeError('terminated', { cause: error }),
          );
        };
        source.on('data', (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.once('end', () => {
          if (done) return;
          done = true;
          controller.close();
        });
        source.on('error', fail);
        res.on('error', fail);
        res.once('close', () => {
          if (!res.complete)
            fail(Object.assign(new Error('the response was cut off'), { code: 'ECONNRESET' }));
        });
      },
      pull() {
        source.resume();
      },
      cancel() {
        done = true;
        res.destroy();
        if (source !== res) source.destroy();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

/** `res` through the decoder its `content-encoding` names (as fetch does), or `res` itself. */
function decoded(res: IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (encoding === '' || encoding === 'identity') return res;
  const zlib = process.getBuiltinModule('node:zlib');
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH })
      : encoding === 'deflate'
        ? zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH })
        : encoding === 'br'
          ? zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
          : undefined;
  if (decoder === undefined) return res;
  res.on('error', (error) => decoder.destroy(error));
  return res.pipe(decoder);
}
