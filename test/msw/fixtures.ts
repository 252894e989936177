import type { ServerToken } from '../../src/crypto/server-token.js';

/** Base URL the msw handlers answer on (never Apple). */
export const BASE = 'https://ade.test';

/** A synthetic server token. The secret values are canaries: tests assert they never leak. */
export const SECRETS = {
  consumerSecret: 'CS_canary_consumer_secret_4f1b',
  accessToken: 'AT_canary_access_token_9c2e',
  accessSecret: 'AS_canary_access_secret_77aa',
} as const;

/** Build a token (optionally expired) with the canary secrets. */
export function testToken(overrides: Partial<ServerToken> = {}): ServerToken {
  return {
    consumerKey: 'CK_test_consumer_key',
    consumerSecret: SECRETS.consumerSecret,
    accessToken: SECRETS.accessToken,
    accessSecret: SECRETS.accessSecret,
    accessTokenExpiry: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    ...overrides,
  };
}

/** Retry settings that keep tests fast. */
export const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 20, jitter: false };

/** A device record as ADE returns it. */
export function device(
  serial: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    serial_number: serial,
    model: 'iPhone 15',
    description: 'IPHONE 15 BLACK 128GB',
    color: 'BLACK',
    profile_status: 'empty',
    device_assigned_date: '2024-05-01T10:00:00Z',
    device_assigned_by: 'admin@example.com',
    os: 'iOS',
    device_family: 'iPhone',
    ...extra,
  };
}

/** `n` serials `PREFIX000001`… */
export function serials(n: number, prefix = 'SN'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(6, '0')}`);
}
