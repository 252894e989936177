import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { APPLE_ERROR_STRINGS } from '../../../src/client/apple-codes.js';
import { type AbmApiError, type AbmErrorCode, isApiError } from '../../../src/index.js';
import { BASE } from '../../msw/fixtures.js';
import { sessionHandler, useAde } from '../../msw/server.js';
import { makeClient } from './helpers.js';

const ade = useAde();

/** Every Apple error string, the status Apple sends it with, and the code it must map to. */
const TABLE: [string, number, AbmErrorCode][] = [
  ['T_C_NOT_SIGNED', 403, 'TERMS_NOT_SIGNED'],
  ['ACCESS_DENIED', 403, 'ACCESS_DENIED'],
  ['token_rejected', 401, 'TOKEN_REJECTED'],
  ['signature_invalid', 403, 'TOKEN_REJECTED'],
  ['token_expired', 401, 'TOKEN_EXPIRED'],
  ['EXPIRED_CURSOR', 400, 'CURSOR_EXPIRED'],
  ['INVALID_CURSOR', 400, 'CURSOR_INVALID'],
  ['EXHAUSTED_CURSOR', 400, 'CURSOR_EXHAUSTED'],
  ['CURSOR_REQUIRED', 400, 'CURSOR_REQUIRED'],
  ['USER_AGENT_INVALID', 400, 'CONFIGURATION_INVALID'],
  ['USER_AGENT_MISSING', 400, 'CONFIGURATION_INVALID'],
  ['MDM_SERVICE_DISCOVERY_URL_REQUIRED', 400, 'API_ERROR'],
  ['MDM_SERVICE_DISCOVERY_URL_NOT_VALID', 400, 'API_ERROR'],
  ['APPLE_SEED_FOR_IT_TURNED_OFF', 403, 'API_ERROR'],
  ['ORG_NOT_SUPPORTED', 400, 'API_ERROR'],
  ['MALFORMED_REQUEST_BODY', 400, 'API_ERROR'],
  ['DEVICE_ID_REQUIRED', 400, 'API_ERROR'],
  ['PROFILE_UUID_REQUIRED', 400, 'API_ERROR'],
  ['PROFILE_NOT_FOUND', 400, 'NOT_FOUND'],
  ['DEVICE_NOT_FOUND', 400, 'NOT_FOUND'],
  ['CONFIG_NAME_INVALID', 400, 'API_ERROR'],
  ['CONFIG_NAME_REQUIRED', 400, 'API_ERROR'],
  ['CONFIG_URL_INVALID', 400, 'API_ERROR'],
  ['CONFIG_URL_REQUIRED', 400, 'API_ERROR'],
  ['DEPARTMENT_INVALID', 400, 'API_ERROR'],
  ['FLAGS_INVALID', 400, 'API_ERROR'],
  ['LOCALE_INVALID', 400, 'API_ERROR'],
  ['MAGIC_INVALID', 400, 'API_ERROR'],
  ['SUPPORT_EMAIL_INVALID', 400, 'API_ERROR'],
  ['SUPPORT_PHONE_INVALID', 400, 'API_ERROR'],
  ['TOO_MANY_REQUESTS', 429, 'RATE_LIMITED'],
  ['UNAUTHORIZED', 401, 'AUTH_FAILED'],
  ['FORBIDDEN', 403, 'AUTH_FAILED'],
  ['NOT_FOUND', 404, 'NOT_FOUND'],
];

const FORMS: [string, (code: string) => string][] = [
  ['plain', (c) => c],
  ['quoted', (c) => `"${c}"`],
  ['json', (c) => JSON.stringify({ code: c, message: 'details' })],
];

describe('Apple error strings', () => {
  it('covers every string abmkit knows', () => {
    expect(new Set(TABLE.map(([s]) => s))).toEqual(new Set(APPLE_ERROR_STRINGS));
  });

  for (const [form, render] of FORMS) {
    it.each(TABLE)(`maps %s (HTTP %i, ${form} body) to %s`, async (appleString, status, code) => {
      ade.server.use(
        sessionHandler(),
        http.post(`${BASE}/devices`, () => new HttpResponse(render(appleString), { status })),
      );
      const err = await makeClient({ retry: { limit: 1, baseDelayMs: 1 } })
        .getDeviceDetails(['S1'])
        .catch((e: unknown) => e);
      expect(isApiError(err)).toBe(true);
      const api = err as AbmApiError;
      expect(api.code).toBe(code);
      expect(api.appleCode).toBe(appleString);
      expect(api).toMatchObject({
        status,
        method: 'POST',
        path: '/devices',
        operation: 'getDeviceDetails',
      });
      expect(api.bodyExcerpt).toContain(appleString);
      // Re-login happens only for 401 / 403 FORBIDDEN, once; 429 is retried; nothing else is.
      const reauth = appleString === 'UNAUTHORIZED' || appleString === 'FORBIDDEN';
      expect(ade.count('/devices')).toBe(reauth || status === 429 ? 2 : 1);
      expect(ade.count('/session')).toBe(reauth ? 2 : 1);
    });
  }

  it('keeps at most 1 KiB of the body, redacted', async () => {
    const long = `BAD_THING consumer_secret=CS_leaky_secret_value ${'x'.repeat(5000)}`;
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, () => new HttpResponse(long, { status: 400 })),
    );
    const err = (await makeClient()
      .getAccount()
      .catch((e: unknown) => e)) as AbmApiError;
    expect(err.code).toBe('API_ERROR');
    expect(Buffer.byteLength(err.bodyExcerpt ?? '', 'utf8')).toBeLessThanOrEqual(1024 + 3);
    expect(err.bodyExcerpt).not.toContain('CS_leaky_secret_value');
    expect(err.message).toMatch(/HTTP 400/);
  });
});
