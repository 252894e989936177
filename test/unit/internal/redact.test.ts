import { describe, expect, it, vi } from 'vitest';
import { createServerToken } from '../../../src/crypto/index.js';
import { redactingLogger, silentLogger } from '../../../src/internal/logger.js';
import { REDACTED, redactString, redactValue } from '../../../src/internal/redact.js';

const CANARY = {
  consumerSecret: 'CS_canary_consumer_secret_0001',
  accessToken: 'AT_canary_access_token_0002',
  accessSecret: 'AS_canary_access_secret_0003',
  session: 'canary-session-0004',
};

describe('redaction', () => {
  it('replaces secret keys and scrubs secret shapes from strings without touching the input', () => {
    const input = {
      headers: {
        Authorization: 'OAuth oauth_signature="abc"',
        'X-ADM-Auth-Session': CANARY.session,
      },
      body: `{"auth_session_token":"${CANARY.session}"}`,
      nested: [{ access_secret: CANARY.accessSecret }],
      keep: 'serial C02XK1JQJG5H',
    };
    const out = JSON.stringify(redactValue(input));
    for (const secret of Object.values(CANARY)) expect(out).not.toContain(secret);
    expect(out).toContain('C02XK1JQJG5H');
    expect(input.nested[0]?.access_secret).toBe(CANARY.accessSecret);
  });

  it('redacts PEM blocks and credential prefixes in free text', () => {
    const text = `key -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- and ${CANARY.accessToken}`;
    const out = redactString(text);
    expect(out).not.toContain('MIIE');
    expect(out).not.toContain(CANARY.accessToken);
    expect(out).toContain(REDACTED);
  });

  it('logs a ServerToken through its own safe form: consumer key and expiry, no secrets', () => {
    const token = createServerToken({
      consumerKey: 'CK_visible',
      ...CANARY,
      accessTokenExpiry: new Date('2030-01-01T00:00:00Z'),
    });
    const out = JSON.stringify(redactValue({ token }));
    expect(out).toContain('CK_visible');
    for (const secret of [CANARY.consumerSecret, CANARY.accessToken, CANARY.accessSecret]) {
      expect(out).not.toContain(secret);
    }
  });

  it('handles cycles and wraps loggers, children included', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(redactValue(cyclic)).toEqual({ a: 1, self: '[Circular]' });

    const calls: unknown[][] = [];
    const sink = {
      error: vi.fn((...a: unknown[]) => calls.push(a)),
      warn: vi.fn((...a: unknown[]) => calls.push(a)),
      info: vi.fn((...a: unknown[]) => calls.push(a)),
      debug: vi.fn((...a: unknown[]) => calls.push(a)),
      child: vi.fn(() => sink),
    };
    const log = redactingLogger(sink);
    log.info({ accessSecret: CANARY.accessSecret }, `session ${CANARY.accessToken}`);
    log.child?.({ consumerSecret: CANARY.consumerSecret }).warn('x');
    expect(JSON.stringify(calls)).not.toMatch(/canary/);
    expect(JSON.stringify(sink.child.mock.calls)).not.toMatch(/canary/);
    expect(calls).toHaveLength(2);
    expect(redactingLogger(undefined)).toBe(silentLogger);
  });
});
