/**
 * The control API's request handler: route, run, render (JSON bodies and errors).
 *
 * @module
 */

import { isAbmError } from '../../../errors/index.js';
import type { DepSimulator } from '../create-simulator.js';
import { lowerHeaders, normalisePath } from '../request-parts.js';
import type { SimRequest, SimResponse } from '../types.js';
import { ControlProblem } from './problem.js';
import { CONTROL_ROUTES } from './routes.js';
import {
  type ControlContext,
  type ControlResult,
  type ControlRoute,
  SIM_CONTROL_PREFIX,
  type SimControlErrorBody,
} from './types.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const INDEX_PATH = SIM_CONTROL_PREFIX.slice(0, -1);

function render(result: ControlResult): SimResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...result.headers };
  if (result.body !== undefined) return { status: result.status, headers, body: result.body };
  return {
    status: result.status,
    headers: { 'content-type': JSON_TYPE, ...headers },
    body: JSON.stringify(result.json ?? {}),
  };
}

function errorResult(error: unknown): ControlResult {
  if (error instanceof ControlProblem) {
    return { status: error.status, json: error.body, headers: error.headers };
  }
  if (isAbmError(error)) {
    const body: SimControlErrorBody = { code: error.code, message: error.message };
    return { status: 400, json: body };
  }
  const body: SimControlErrorBody = {
    code: 'INTERNAL_ERROR',
    message: 'The simulator failed to serve this control request; see its standard error.',
  };
  return { status: 500, json: body };
}

function index(routes: readonly ControlRoute[]): ControlResult {
  return {
    status: 200,
    json: {
      routes: routes.map((r) => ({ method: r.method, path: r.path, summary: r.summary })),
    },
  };
}

/**
 * Serves one request of the simulator's HTTP control API (paths under `/_sim/`, see
 * `docs/simulator.md`): add, modify and remove devices, move the clock, script faults, issue
 * server tokens and renewals, read the request log, reset. Never throws: bad requests get a
 * JSON {@link SimControlErrorBody} with a 4xx status. {@link DepSimulator.listen} with
 * `{ control: true }` and {@link startSimulatorControl} serve it over HTTP; call it directly for
 * another front end.
 */
export async function handleSimControl(
  sim: DepSimulator,
  request: SimRequest,
): Promise<SimResponse> {
  const method = request.method.toUpperCase();
  const path = normalisePath(request.path);
  const ctx: ControlContext = {
    sim,
    method,
    path,
    query: request.query ?? {},
    headers: lowerHeaders(request.headers),
    rawBody: request.body ?? '',
  };
  try {
    if (path === INDEX_PATH && method === 'GET') return render(index(CONTROL_ROUTES));
    const candidates = CONTROL_ROUTES.filter((r) => r.path === path);
    if (candidates.length === 0) {
      throw new ControlProblem(
        404,
        'NOT_FOUND',
        `No control route ${path}; GET ${INDEX_PATH} lists them.`,
      );
    }
    const route = candidates.find((r) => r.method === method);
    if (!route) {
      const allow = candidates.map((r) => r.method).join(', ');
      throw new ControlProblem(
        405,
        'METHOD_NOT_ALLOWED',
        `${path} answers ${allow}, not ${method}.`,
        {},
        { allow },
      );
    }
    return render(await route.handle(ctx));
  } catch (error) {
    return render(errorResult(error));
  }
}
