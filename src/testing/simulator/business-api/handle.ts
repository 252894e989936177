/**
 * Entry point of the simulated Apple Business Manager REST API: `POST /auth/oauth2/token`,
 * `/v1/…` resources and activity logs, served by the same simulator as the ADE API.
 *
 * @internal
 * @module
 */
import type { SimState } from '../state.js';
import type { SimRequest, SimRequestLogEntry, SimResponse } from '../types.js';
import { settleActivities } from './activities.js';
import { type RestAnswer, restError } from './documents.js';
import { restRoute } from './routes.js';
import { businessStateOf } from './state.js';
import { tokenEndpoint } from './token-endpoint.js';

/** @internal Whether a path belongs to the REST API. */
export function isBusinessApiPath(path: string): boolean {
  return (
    path === '/auth/oauth2/token' ||
    path.startsWith('/v1/') ||
    path.startsWith('/business-api-logs/')
  );
}

function endpointOf(path: string, method: string): string {
  if (path === '/auth/oauth2/token') return 'apiToken';
  if (path.startsWith('/business-api-logs/')) return 'activityLog';
  const resource = path.split('/')[2] ?? '';
  if (resource === 'orgDeviceActivities') return method === 'POST' ? 'createActivity' : 'activity';
  return resource;
}

function originOf(req: SimRequest, headers: Record<string, string>): string {
  if (req.url) return new URL(req.url).origin;
  return headers['host'] ? `http://${headers['host']}` : 'https://api-business.apple.com';
}

/** @internal Serves one REST API request. */
export async function handleBusinessApi(
  state: SimState,
  req: SimRequest,
  path: string,
  headers: Record<string, string>,
  sleep: (ms: number) => Promise<void>,
): Promise<SimResponse> {
  const biz = businessStateOf(state);
  const method = req.method.toUpperCase();
  const endpoint = endpointOf(path, method);
  const fault = state.faults.take(endpoint, path, method);
  if (fault?.delayMs) await sleep(fault.delayMs);
  const now = state.now();
  settleActivities(biz, now);
  const log = (status: number, extra: Partial<SimRequestLogEntry> = {}): void => {
    state.log.record({
      at: new Date(now).toISOString(),
      method,
      path,
      endpoint: endpoint as SimRequestLogEntry['endpoint'],
      protocolVersion: 0,
      status,
      ...extra,
    });
  };
  if (fault?.drop) {
    log(0, { fault: true });
    return { status: 0, headers: {}, body: '', drop: true };
  }
  let answer: RestAnswer;
  if (fault?.status !== undefined) {
    answer =
      fault.body === undefined
        ? restError(
            fault.status,
            fault.status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'INTERNAL_ERROR',
            'scripted fault',
          )
        : typeof fault.body === 'string'
          ? { status: fault.status, text: fault.body }
          : { status: fault.status, json: fault.body };
  } else if (path === '/auth/oauth2/token') {
    if (method !== 'POST') answer = restError(405, 'METHOD_NOT_ALLOWED', 'use POST');
    else {
      // Apple's example sends the parameters in the query; clients in the wild use the form body.
      const params = new URLSearchParams(req.query ?? {});
      for (const [k, v] of new URLSearchParams(req.body ?? '')) params.set(k, v);
      answer = tokenEndpoint(biz, params, now);
    }
  } else {
    const bearer = /^Bearer (\S+)$/.exec(headers['authorization'] ?? '')?.[1];
    const grant = bearer === undefined ? undefined : biz.accessTokens.get(bearer);
    const account = grant === undefined ? undefined : biz.accounts.get(grant.clientId);
    if (!grant || grant.expiresAt <= now || !account || account.revoked) {
      answer = restError(401, 'NOT_AUTHORIZED', 'the access token is missing, expired or revoked');
    } else if (path.startsWith('/business-api-logs/')) {
      const id = path.slice('/business-api-logs/'.length).replace(/\.csv$/, '');
      const log = biz.activities.get(id)?.log;
      answer =
        log === undefined ? restError(404, 'NOT_FOUND', 'no such log') : { status: 200, text: log };
    } else {
      answer = restRoute(biz, {
        method,
        segments: path
          .split('/')
          .slice(2)
          .filter((s) => s !== ''),
        query: req.query ?? {},
        body: req.body ?? '',
        origin: originOf(req, headers),
        now,
      });
    }
  }
  const responseHeaders: Record<string, string> = {
    'content-type': answer.text !== undefined ? 'text/csv;charset=utf-8' : 'application/json',
    ...answer.headers,
  };
  if (fault?.retryAfter !== undefined) responseHeaders['retry-after'] = String(fault.retryAfter);
  for (const [name, value] of Object.entries(fault?.headers ?? {}))
    responseHeaders[name.toLowerCase()] = value;
  log(answer.status, fault ? { fault: true } : {});
  return {
    status: answer.status,
    headers: responseHeaders,
    body: answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json)),
  };
}
