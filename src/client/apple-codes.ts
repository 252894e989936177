/**
 * Error strings Apple's ADE service is known to return, longest and most specific first so that a
 * substring search finds `DEVICE_NOT_FOUND` before `NOT_FOUND`. Bodies come as plain text, quoted
 * strings or JSON, so codes are found by substring, not equality.
 * @internal
 */
export const APPLE_ERROR_STRINGS: readonly string[] = [
  'T_C_NOT_SIGNED',
  'ACCESS_DENIED',
  'token_rejected',
  'signature_invalid',
  'token_expired',
  'EXPIRED_CURSOR',
  'INVALID_CURSOR',
  'EXHAUSTED_CURSOR',
  'CURSOR_REQUIRED',
  'USER_AGENT_INVALID',
  'USER_AGENT_MISSING',
  'MDM_SERVICE_DISCOVERY_URL_REQUIRED',
  'MDM_SERVICE_DISCOVERY_URL_NOT_VALID',
  'APPLE_SEED_FOR_IT_TURNED_OFF',
  'ORG_NOT_SUPPORTED',
  'MALFORMED_REQUEST_BODY',
  'DEVICE_ID_REQUIRED',
  'PROFILE_UUID_REQUIRED',
  'PROFILE_NOT_FOUND',
  'DEVICE_NOT_FOUND',
  'CONFIG_NAME_INVALID',
  'CONFIG_NAME_REQUIRED',
  'CONFIG_URL_INVALID',
  'CONFIG_URL_REQUIRED',
  'DEPARTMENT_INVALID',
  'FLAGS_INVALID',
  'LOCALE_INVALID',
  'MAGIC_INVALID',
  'SUPPORT_EMAIL_INVALID',
  'SUPPORT_PHONE_INVALID',
  'TOO_MANY_REQUESTS',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
];

/** Apple strings that describe the token's health: never re-login on these. @internal */
export const TOKEN_HEALTH_STRINGS: readonly string[] = [
  'T_C_NOT_SIGNED',
  'ACCESS_DENIED',
  'token_rejected',
  'signature_invalid',
  'token_expired',
];

/**
 * Finds Apple's error string in a response body: a known string by substring, else a JSON
 * `code`/`error` field or a bare upper-case token.
 * @internal
 */
export function findAppleCode(body: string): string | undefined {
  for (const code of APPLE_ERROR_STRINGS) if (body.includes(code)) return code;
  // OAuth refusals of `/session`: `oauth_problem=timestamp_refused` and the like.
  const oauthProblem = /oauth_problem=([A-Za-z][A-Za-z0-9_]{1,63})/.exec(body);
  if (oauthProblem) return oauthProblem[1];
  const trimmed = body.trim();
  const bare = /^"?([A-Za-z][A-Za-z0-9_]{1,63})"?$/.exec(trimmed);
  if (bare) return bare[1];
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as Record<string, unknown>;
      for (const key of ['code', 'error', 'error_code']) {
        const v = parsed[key];
        if (typeof v === 'string' && /^[A-Za-z][A-Za-z0-9_]{1,63}$/.test(v)) return v;
      }
    } catch {
      // not JSON: no code
    }
  }
  return undefined;
}

/** Whether a body names a token-health condition (terms, access, rejected, expired). @internal */
export function hasTokenHealthString(body: string): boolean {
  return TOKEN_HEALTH_STRINGS.some((s) => body.includes(s));
}
