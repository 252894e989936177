/**
 * Front end (b): msw request handlers. msw is loaded lazily, only when this front end is used,
 * so `abmkit/testing` does not need msw installed otherwise.
 *
 * @module
 */

import { DriverMissingError } from '../../errors/index.js';
import type { MswHandler } from './msw-handler.js';
import type { SimRequest, SimResponse } from './types.js';

/** Apple's ADE base URL: the default the msw handlers intercept. */
export const APPLE_ADE_BASE_URL = 'https://mdmenrollment.apple.com';

/** Anything that can serve a {@link SimRequest}: a `DepSimulator`. */
export interface SimRequestHandler {
  /** Serves one request. */
  handle(request: SimRequest): Promise<SimResponse>;
}

type MswModule = typeof import('msw');

async function loadMsw(): Promise<MswModule> {
  // A non-literal specifier keeps bundlers from inlining msw: it must come from the embedder.
  const specifier = 'msw';
  try {
    return (await import(specifier)) as MswModule;
  } catch (cause) {
    throw new DriverMissingError('msw', { cause });
  }
}

/**
 * msw handlers that route every request under `baseUrl` to the simulator. Mount them with
 * `setupServer(...handlers)` (msw ≥ 2 must be installed).
 *
 * @param sim - the simulator (from `createDepSimulator`).
 * @param baseUrl - the ADE base URL your client uses; a path prefix is allowed. @default `https://mdmenrollment.apple.com`
 * @throws `DriverMissingError` (from `abmkit`) when msw is not installed.
 * @example
 * ```ts
 * const server = setupServer(...(await depSimulatorHandlers(sim)));
 * server.listen({ onUnhandledRequest: 'error' });
 * ```
 */
export async function depSimulatorHandlers(
  sim: SimRequestHandler,
  baseUrl: string = APPLE_ADE_BASE_URL,
): Promise<MswHandler[]> {
  const msw = await loadMsw();
  const base = baseUrl.replace(/\/+$/, '');
  const prefix = new URL(base).pathname.replace(/\/+$/, '');
  const handler = msw.http.all(`${base}/*`, async ({ request }) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const answer = await sim.handle({
      method: request.method,
      path: url.pathname.slice(prefix.length) || '/',
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text(),
      url: url.href,
    });
    if (answer.drop) return Response.error();
    return new Response(answer.status === 204 ? null : answer.body, {
      status: answer.status,
      headers: answer.headers,
    });
  });
  return [handler];
}
