/**
 * `GET /account`, beta enrollment tokens and account-driven enrollment service discovery.
 *
 * @internal
 * @module
 */
import { appleError, type EndpointContext, type EndpointResult, jsonBody } from '../context.js';
import { isoSeconds } from '../population.js';
import { hash2, Rng } from '../random.js';

function urls(ctx: EndpointContext): Record<string, unknown>[] {
  const { fetchDefault, fetchMaximum } = ctx.state.opts;
  const limit = { default: fetchDefault, maximum: fetchMaximum };
  const list: Record<string, unknown>[] = [
    { uri: '/account', http_method: ['GET'] },
    { uri: '/session', http_method: ['GET'] },
    { uri: '/server/devices', http_method: ['POST'], limit },
    { uri: '/devices/sync', http_method: ['POST'], limit },
    { uri: '/devices', http_method: ['POST'] },
    { uri: '/devices/disown', http_method: ['POST'] },
    { uri: '/profile', http_method: ['GET', 'POST'] },
    { uri: '/profile/devices', http_method: ['DELETE', 'POST', 'PUT'] },
    { uri: '/device/activationlock', http_method: ['POST'] },
    { uri: '/os-beta-enrollment/tokens', http_method: ['GET'] },
    { uri: '/account-driven-enrollment/profile', http_method: ['DELETE', 'GET', 'POST'] },
  ];
  if (ctx.protocol >= 10) list.push({ uri: '/device/replacementDetails', http_method: ['GET'] });
  return list;
}

/** @internal Account details; `org_*` ids and `urls` from protocol 3. */
export function account(ctx: EndpointContext): EndpointResult {
  const a = ctx.state.account;
  const json: Record<string, unknown> = {
    server_name: a.server_name,
    server_uuid: a.server_uuid,
    admin_id: a.admin_id,
    facilitator_id: a.admin_id,
    org_name: a.org_name,
    org_email: a.org_email,
    org_phone: a.org_phone,
    org_address: a.org_address,
  };
  if (ctx.protocol >= 3) {
    Object.assign(json, {
      org_id: a.org_id,
      org_id_hash: a.org_id_hash,
      org_type: a.org_type,
      org_version: a.org_version,
      urls: urls(ctx),
    });
  }
  return { status: 200, json };
}

/**
 * @internal The beta programs served, with the `os` names of Apple's `OsBetaEnrollmentToken`
 * schema (`OSX`, never `macOS`). Appended entries keep the earlier tokens' values.
 */
export const BETA_PROGRAMS: readonly (readonly [title: string, os: string])[] = [
  ['iOS 26 Developer Beta', 'iOS'],
  ['iOS 26 Public Beta', 'iOS'],
  ['macOS Tahoe 26 Developer Beta', 'OSX'],
  ['tvOS 26 Developer Beta', 'tvOS'],
  ['watchOS 26 Developer Beta', 'watchOS'],
  ['visionOS 26 Developer Beta', 'visionOS'],
  ['HomePod Software 26 Beta', 'homePodOS'],
];

/** @internal Beta enrollment tokens (403 `APPLE_SEED_FOR_IT_TURNED_OFF` when switched off). */
export function betaEnrollmentTokens(ctx: EndpointContext): EndpointResult {
  if (!ctx.state.appleSeedForIT) return appleError(403, 'APPLE_SEED_FOR_IT_TURNED_OFF');
  const rng = new Rng(hash2(ctx.state.opts.seed, 0xbe7a));
  const tokens = BETA_PROGRAMS.map(([title, os]) => ({ title, token: rng.hex(24), os }));
  return { status: 200, json: { betaEnrollmentTokens: tokens } };
}

/** @internal `GET /account-driven-enrollment/profile`. */
export function getAdeServiceDiscovery(ctx: EndpointContext): EndpointResult {
  if (!ctx.state.adeSupported) return appleError(400, 'ORG_NOT_SUPPORTED');
  const current = ctx.state.adeDiscovery;
  if (!current) return appleError(404, 'NOT_FOUND');
  return {
    status: 200,
    json: {
      mdm_service_discovery_url: current.url,
      last_updated_timestamp: isoSeconds(current.updated),
    },
  };
}

/** @internal `POST /account-driven-enrollment/profile`. */
export function setAdeServiceDiscovery(ctx: EndpointContext): EndpointResult {
  if (!ctx.state.adeSupported) return appleError(400, 'ORG_NOT_SUPPORTED');
  const body = jsonBody(ctx);
  if (!body) return appleError(400, 'MALFORMED_REQUEST_BODY');
  const url = body['mdm_service_discovery_url'];
  if (url === undefined || url === null || url === '')
    return appleError(400, 'MDM_SERVICE_DISCOVERY_URL_REQUIRED');
  let valid = false;
  try {
    valid = typeof url === 'string' && new URL(url).protocol === 'https:';
  } catch {
    valid = false;
  }
  if (!valid) return appleError(400, 'MDM_SERVICE_DISCOVERY_URL_NOT_VALID');
  ctx.state.adeDiscovery = { url: url as string, updated: ctx.now };
  return { status: 200, text: '' };
}

/** @internal `DELETE /account-driven-enrollment/profile`. */
export function removeAdeServiceDiscovery(ctx: EndpointContext): EndpointResult {
  if (!ctx.state.adeSupported) return appleError(400, 'ORG_NOT_SUPPORTED');
  ctx.state.adeDiscovery = undefined;
  return { status: 200, text: '' };
}
