/**
 * The simulator core: one request in, one response out. Both front ends call this.
 *
 * Order of checks: route → fault → `User-Agent` → session (all but `/session`) → handler →
 * session rotation → fault post-processing (malformed body, repeated cursor).
 *
 * @internal
 * @module
 */

import { handleBusinessApi, isBusinessApiPath } from './business-api/handle.js';
import { appleError, type EndpointContext, type EndpointResult } from './context.js';
import { isoSeconds } from './population.js';
import { lowerHeaders, normalisePath } from './request-parts.js';
import { type Handler, ROUTES } from './router.js';
import type { SimState } from './state.js';
import type { SimEndpoint, SimFault, SimRequest, SimResponse } from './types.js';

const JSON_TYPE = 'application/json;charset=UTF8';
const TEXT_TYPE = 'text/plain;charset=UTF8';

const DEFAULT_FAULT_BODIES: Record<number, string> = {
  400: 'MALFORMED_REQUEST_BODY',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

function requestUrl(req: SimRequest, path: string, headers: Record<string, string>): string {
  if (req.url) return req.url;
  const origin = headers['host'] ? `http://${headers['host']}` : 'https://mdmenrollment.apple.com';
  const query = new URLSearchParams(req.query ?? {}).toString();
  return `${origin}${path}${query ? `?${query}` : ''}`;
}

function userAgentProblem(state: SimState, ua: string | undefined): EndpointResult | undefined {
  if (ua === undefined || ua.trim() === '') return appleError(400, 'USER_AGENT_MISSING');
  for (const pattern of state.opts.invalidUserAgents) {
    if (typeof pattern === 'string' ? ua.includes(pattern) : pattern.test(ua)) {
      return appleError(400, 'USER_AGENT_INVALID');
    }
  }
  return undefined;
}

/** Checks `X-ADM-Auth-Session`; counts the request against the session on success. */
function sessionProblem(ctx: EndpointContext): EndpointResult | undefined {
  const { state } = ctx;
  const token = ctx.headers['x-adm-auth-session'] ?? '';
  const session = state.sessions.get(token);
  const usable =
    session !== undefined &&
    ctx.now < session.expiresAt &&
    session.requests < state.opts.sessionMaxRequests;
  if (!usable) {
    if (session) state.sessions.delete(token);
    return state.opts.unknownSession === 'forbidden'
      ? appleError(403, 'FORBIDDEN')
      : appleError(401, 'UNAUTHORIZED');
  }
  const owner = state.tokens.get(session.consumerKey);
  if (!owner || owner.revoked) return appleError(403, 'token_rejected');
  if (ctx.now >= owner.expiresAt) return appleError(403, 'token_expired');
  if (!state.termsSigned) return appleError(403, 'T_C_NOT_SIGNED');
  session.requests++;
  return undefined;
}

function maybeRotate(ctx: EndpointContext, result: EndpointResult): boolean {
  const { state } = ctx;
  const draw = state.rotationRng.next();
  if (result.status < 200 || result.status >= 300) return false;
  if (!state.rotateNext && draw >= state.opts.rotateProbability) return false;
  state.rotateNext = false;
  const old = ctx.headers['x-adm-auth-session'] ?? '';
  const session = state.sessions.get(old);
  if (!session) return false;
  state.sessions.delete(old);
  const fresh = state.createSession(session.consumerKey);
  result.headers = { ...result.headers, 'x-adm-auth-session': fresh };
  return true;
}

function faultResult(fault: SimFault & { status: number }): EndpointResult {
  const body = fault.body ?? DEFAULT_FAULT_BODIES[fault.status] ?? `HTTP_${fault.status}`;
  return typeof body === 'string'
    ? { status: fault.status, text: body, error: body.slice(0, 64) }
    : { status: fault.status, json: body, error: `HTTP_${fault.status}` };
}

function render(state: SimState, result: EndpointResult): { body: string; type: string } {
  if (result.text !== undefined) return { body: result.text, type: TEXT_TYPE };
  if (result.json !== undefined) return { body: JSON.stringify(result.json), type: JSON_TYPE };
  const code = result.error ?? '';
  switch (state.opts.errorBodyStyle) {
    case 'quoted':
      return { body: JSON.stringify(code), type: JSON_TYPE };
    case 'json':
      return { body: JSON.stringify({ code }), type: JSON_TYPE };
    default:
      return { body: code, type: TEXT_TYPE };
  }
}

function requestCursor(rawBody: string): string | undefined {
  try {
    const cursor = (JSON.parse(rawBody) as { cursor?: unknown }).cursor;
    return typeof cursor === 'string' && cursor !== '' ? cursor : undefined;
  } catch {
    return undefined;
  }
}

function run(
  ctx: EndpointContext,
  endpoint: SimEndpoint,
  handler: Handler,
): { result: EndpointResult; rotated: boolean } {
  const uaProblem = userAgentProblem(ctx.state, ctx.headers['user-agent']);
  if (uaProblem) return { result: uaProblem, rotated: false };
  if (endpoint !== 'session') {
    const problem = sessionProblem(ctx);
    if (problem) return { result: problem, rotated: false };
  }
  const result = handler(ctx);
  const rotated = endpoint !== 'session' && maybeRotate(ctx, result);
  return { result, rotated };
}

/** @internal Serves one request. */
export async function handleRequest(
  state: SimState,
  req: SimRequest,
  sleep: (ms: number) => Promise<void>,
): Promise<SimResponse> {
  const method = req.method.toUpperCase();
  const path = normalisePath(req.path);
  const headers = lowerHeaders(req.headers);
  if (isBusinessApiPath(path)) return handleBusinessApi(state, req, path, headers, sleep);
  const protocolHeader = headers['x-server-protocol-version'] ?? '';
  const protocol = /^\d{1,3}$/.test(protocolHeader)
    ? Number(protocolHeader)
    : state.opts.defaultProtocol;
  const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  const entry = route && Object.hasOwn(route, method) ? route[method] : undefined;
  const endpoint: SimEndpoint | 'unknown' = entry?.[0] ?? 'unknown';
  const fault = state.faults.take(endpoint, path, method);
  if (fault?.delayMs) await sleep(fault.delayMs);
  const now = state.now();
  const base = { at: isoSeconds(now), method, path, endpoint, protocolVersion: protocol };
  if (fault?.drop) {
    state.log.record({ ...base, status: 0, fault: true });
    return { status: 0, headers: {}, body: '', drop: true };
  }
  const rawBody = req.body ?? '';
  const ctx: EndpointContext = {
    state,
    method,
    path,
    query: req.query ?? {},
    headers,
    rawBody,
    url: requestUrl(req, path, headers),
    protocol,
    now,
  };
  let result: EndpointResult;
  let rotated = false;
  if (fault?.status !== undefined) result = faultResult({ ...fault, status: fault.status });
  else if (!route) result = appleError(404, 'NOT_FOUND');
  else if (!entry)
    result = {
      ...appleError(405, 'METHOD_NOT_ALLOWED'),
      headers: { allow: Object.keys(route).join(', ') },
    };
  else ({ result, rotated } = run(ctx, endpoint as SimEndpoint, entry[1]));

  if (
    fault?.repeatCursor &&
    result.status === 200 &&
    result.json &&
    typeof result.json === 'object'
  ) {
    const json = result.json as Record<string, unknown>;
    if ('cursor' in json) {
      json['cursor'] = requestCursor(rawBody) ?? json['cursor'];
      json['more_to_follow'] = true;
    }
  }
  const rendered = render(state, result);
  let body = rendered.body;
  if (fault?.malformed) body = body.slice(0, Math.max(1, Math.floor(body.length / 2))) || '{';
  const responseHeaders: Record<string, string> = {
    'content-type': rendered.type,
    ...result.headers,
  };
  if (fault?.retryAfter !== undefined) responseHeaders['retry-after'] = String(fault.retryAfter);
  for (const [name, value] of Object.entries(fault?.headers ?? {}))
    responseHeaders[name.toLowerCase()] = value;

  state.log.record({
    ...base,
    status: result.status,
    ...(result.serialsIn !== undefined ? { serialsIn: result.serialsIn } : {}),
    ...(result.devicesOut !== undefined ? { devicesOut: result.devicesOut } : {}),
    ...(result.status >= 400 && result.error ? { error: result.error } : {}),
    ...(fault ? { fault: true } : {}),
    ...(rotated ? { rotatedSession: true } : {}),
  });
  state.logger.debug({ method, path, endpoint, status: result.status }, 'abmkit simulator request');
  return { status: result.status, headers: responseHeaders, body };
}
