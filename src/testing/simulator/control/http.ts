/**
 * Serving the control API over HTTP: on the simulator's own port (a mount under `/_sim/`) or on
 * a port of its own.
 *
 * @module
 */
import type { DepSimulator } from '../create-simulator.js';
import { type HttpMount, startHttpServer } from '../http-server.js';
import type { SimResponse } from '../types.js';
import { handleSimControl } from './handle-control.js';
import { SIM_CONTROL_PREFIX } from './types.js';

/** @internal Largest control request body (a certificate, or 10,000 serials, fit well). */
export const CONTROL_MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(): SimResponse {
  return {
    status: 413,
    headers: { 'content-type': 'application/json; charset=utf-8', connection: 'close' },
    body: JSON.stringify({
      code: 'BODY_TOO_LARGE',
      message: `Control request bodies are limited to ${CONTROL_MAX_BODY_BYTES} bytes; split the request.`,
    }),
  };
}

/** @internal The control API as a mount of the simulator's HTTP front end. */
export function controlMount(sim: DepSimulator): HttpMount {
  return {
    prefix: SIM_CONTROL_PREFIX,
    maxBodyBytes: CONTROL_MAX_BODY_BYTES,
    handle: (req) => handleSimControl(sim, req),
    tooLarge,
  };
}

/** A control API served on its own port by {@link startSimulatorControl}. */
export interface SimControlServer {
  /** Base URL, e.g. `http://127.0.0.1:9090`; the routes are under `<url>/_sim/`. */
  readonly url: string;
  /** Stops this server (not the simulator). */
  close(): Promise<void>;
}

/** Options of {@link startSimulatorControl}. */
export interface SimControlServerOptions {
  /** Port; 0 = any free port. @default 0 */
  port?: number;
  /** Interface. The API has no authentication: keep it on loopback. @default '127.0.0.1' */
  host?: string;
}

/**
 * Serves the simulator's HTTP control API (`/_sim/…`) on a port of its own, apart from the
 * Apple paths (for a setup where the MDM under test must not reach the control API). Other
 * paths answer 404 `NOT_FOUND`.
 *
 * @example
 * ```ts
 * const sim = createDepSimulator();
 * const apple = await sim.listen(8080);
 * const control = await startSimulatorControl(sim, { port: 8081 });
 * // POST http://127.0.0.1:8081/_sim/devices {"count": 3}
 * await control.close();
 * await sim.close();
 * ```
 */
export async function startSimulatorControl(
  sim: DepSimulator,
  options: SimControlServerOptions = {},
): Promise<SimControlServer> {
  const notFound = async (): Promise<SimResponse> => ({
    status: 404,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      code: 'NOT_FOUND',
      message: `This port serves only the simulator's control API under ${SIM_CONTROL_PREFIX}; Apple's paths are on the simulator's own port.`,
    }),
  });
  const server = await startHttpServer(notFound, options.port ?? 0, options.host ?? '127.0.0.1', [
    controlMount(sim),
  ]);
  return { url: server.url, close: () => server.close() };
}
