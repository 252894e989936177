/**
 * `GET /session`: verifies the OAuth 1.0a (HMAC-SHA1) signature and issues a session token.
 *
 * Problems are reported the OAuth Problem Reporting way (`oauth_problem=…`), which contains the
 * strings clients look for (`signature_invalid`, `token_rejected`, …).
 *
 * @internal
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import {
  oauth1Signature,
  oauth1SignatureBaseString,
  parseOAuth1Header,
} from '../../../auth/oauth1.js';
import { appleError, type EndpointContext, type EndpointResult } from '../context.js';

const REQUIRED = [
  'oauth_consumer_key',
  'oauth_token',
  'oauth_signature_method',
  'oauth_signature',
  'oauth_timestamp',
  'oauth_nonce',
] as const;
const ALLOWED = new Set<string>([...REQUIRED, 'oauth_version', 'realm']);

function problem(status: number, text: string, code: string): EndpointResult {
  return { status, text: `oauth_problem=${text}`, error: code };
}

function duplicated(header: string): string | undefined {
  const seen = new Set<string>();
  for (const match of header.matchAll(/([A-Za-z0-9_.~%-]+)\s*=\s*"/g)) {
    const name = match[1] ?? '';
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** @internal */
export function session(ctx: EndpointContext): EndpointResult {
  const { state } = ctx;
  const header = ctx.headers['authorization'];
  if (!header)
    return problem(
      400,
      `parameter_absent&oauth_parameters_absent=${REQUIRED.join('%26')}`,
      'parameter_absent',
    );
  let params: Record<string, string>;
  try {
    params = parseOAuth1Header(header);
  } catch {
    return problem(400, 'parameter_rejected', 'parameter_rejected');
  }
  const dup = duplicated(header);
  if (dup)
    return problem(
      400,
      `parameter_rejected&oauth_parameters_rejected=${dup}`,
      'parameter_rejected',
    );
  const unsupported = Object.keys(params).find((k) => !ALLOWED.has(k));
  if (unsupported)
    return problem(
      400,
      `parameter_rejected&oauth_parameters_rejected=${unsupported}`,
      'parameter_rejected',
    );
  const absent = REQUIRED.filter((k) => !params[k]);
  if (absent.length > 0) {
    return problem(
      400,
      `parameter_absent&oauth_parameters_absent=${absent.join('%26')}`,
      'parameter_absent',
    );
  }
  if (params['oauth_version'] !== undefined && params['oauth_version'] !== '1.0') {
    return problem(400, 'version_rejected', 'version_rejected');
  }
  if (params['oauth_signature_method'] !== 'HMAC-SHA1') {
    return problem(400, 'signature_method_rejected', 'signature_method_rejected');
  }
  const token = state.tokens.get(params['oauth_consumer_key'] ?? '');
  if (!token) return problem(401, 'consumer_key_unknown', 'consumer_key_unknown');
  if (!sameString(params['oauth_token'] ?? '', token.credentials.access_token)) {
    return problem(401, 'token_rejected', 'token_rejected');
  }
  const oauthParams = Object.entries(params).filter(
    ([k]) => k !== 'realm' && k !== 'oauth_signature',
  );
  const base = oauth1SignatureBaseString(ctx.method, ctx.url, oauthParams);
  const expected = oauth1Signature(
    base,
    token.credentials.consumer_secret,
    token.credentials.access_secret,
  );
  if (!sameString(params['oauth_signature'] ?? '', expected)) {
    return problem(401, 'signature_invalid', 'signature_invalid');
  }
  // Freshness is judged on real time (state.oauthNow), as Apple does: moving the simulator clock
  // to expire cursors or sessions must not make a client's real-time timestamp stale.
  const timestamp = params['oauth_timestamp'] ?? '';
  const window = state.opts.oauthWindowMs;
  const realNow = state.oauthNow();
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(realNow - Number(timestamp) * 1000) > window) {
    return problem(401, 'timestamp_refused', 'timestamp_refused');
  }
  for (const [key, at] of state.nonces) if (realNow - at > 2 * window) state.nonces.delete(key);
  const nonceKey = `${token.credentials.consumer_key}\u0000${params['oauth_nonce']}`;
  if (state.nonces.has(nonceKey)) return problem(401, 'nonce_used', 'nonce_used');
  state.nonces.set(nonceKey, realNow);
  if (token.revoked) return problem(401, 'token_rejected', 'token_rejected');
  if (ctx.now >= token.expiresAt) return appleError(403, 'token_expired');
  if (!state.termsSigned) return appleError(403, 'T_C_NOT_SIGNED');
  const sessionToken = state.createSession(token.credentials.consumer_key);
  state.log.counters.sessionsIssued++;
  return { status: 200, json: { auth_session_token: sessionToken } };
}
