import { describe, expect, it } from 'vitest';
import { createDepSimulator } from '../../../../src/testing/index.js';
import { call } from './helpers.js';

describe('GET /account', () => {
  it('serves the v3+ fields (org ids, urls with limits) only from protocol 3', async () => {
    const sim = createDepSimulator({
      account: { server_name: 'Acme MDM' },
      limits: { fetchMaximum: 500 },
    });
    const session = sim.sessions.create();
    const v2 = await call(sim, 'GET', '/account', { session, protocol: 2 });
    expect(v2.json).toMatchObject({ server_name: 'Acme MDM', admin_id: expect.any(String) });
    expect(v2.json.facilitator_id).toBe(v2.json.admin_id);
    expect(v2.json.urls).toBeUndefined();
    expect(v2.json.org_type).toBeUndefined();
    const v10 = await call(sim, 'GET', '/account', { session });
    expect(v10.json).toMatchObject({
      org_type: 'org',
      org_version: 'v2',
      org_id: expect.any(String),
    });
    expect(v10.json.server_uuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const fetchUrl = v10.json.urls.find((u: { uri: string }) => u.uri === '/server/devices');
    expect(fetchUrl).toEqual({
      uri: '/server/devices',
      http_method: ['POST'],
      limit: { default: 100, maximum: 500 },
    });
    const assign = v10.json.urls.find((u: { uri: string }) => u.uri === '/profile/devices');
    expect(assign.http_method).toEqual(['DELETE', 'POST', 'PUT']);
  });
});

describe('beta enrollment tokens', () => {
  it('lists tokens, or 403 APPLE_SEED_FOR_IT_TURNED_OFF when switched off', async () => {
    const sim = createDepSimulator();
    const session = sim.sessions.create();
    const on = await call(sim, 'GET', '/os-beta-enrollment/tokens', { session });
    expect(on.json.betaEnrollmentTokens.length).toBeGreaterThan(0);
    expect(on.json.betaEnrollmentTokens[0]).toEqual({
      title: expect.any(String),
      token: expect.any(String),
      os: expect.any(String),
    });
    sim.account.setAppleSeedForIT(false);
    const off = await call(sim, 'GET', '/os-beta-enrollment/tokens', { session });
    expect(off.status).toBe(403);
    expect(off.text).toBe('APPLE_SEED_FOR_IT_TURNED_OFF');
  });
});

describe('account-driven enrollment service discovery', () => {
  it('set, get, remove, with Apple’s error strings', async () => {
    const sim = createDepSimulator({ now: () => Date.parse('2026-01-02T03:04:05Z') });
    const session = sim.sessions.create();
    const path = '/account-driven-enrollment/profile';
    const missing = await call(sim, 'GET', path, { session });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('NOT_FOUND');
    expect((await call(sim, 'POST', path, { session, body: {} })).text).toBe(
      'MDM_SERVICE_DISCOVERY_URL_REQUIRED',
    );
    expect(
      (
        await call(sim, 'POST', path, {
          session,
          body: { mdm_service_discovery_url: 'http://x.example' },
        })
      ).text,
    ).toBe('MDM_SERVICE_DISCOVERY_URL_NOT_VALID');
    const url = 'https://mdm.example.com/.well-known/com.apple.remotemanagement';
    const set = await call(sim, 'POST', path, {
      session,
      body: { mdm_service_discovery_url: url },
    });
    expect(set.status).toBe(200);
    expect(set.text).toBe('');
    expect((await call(sim, 'GET', path, { session })).json).toEqual({
      mdm_service_discovery_url: url,
      last_updated_timestamp: '2026-01-02T03:04:05Z',
    });
    expect((await call(sim, 'DELETE', path, { session })).status).toBe(200);
    expect((await call(sim, 'GET', path, { session })).status).toBe(404);
    sim.account.setAccountDrivenEnrollmentSupported(false);
    expect((await call(sim, 'GET', path, { session })).text).toBe('ORG_NOT_SUPPORTED');
  });
});

describe('routing and error styles', () => {
  it('answers 404 for unknown paths and 405 for wrong methods', async () => {
    const sim = createDepSimulator();
    const session = sim.sessions.create();
    expect((await call(sim, 'GET', '/nope', { session })).status).toBe(404);
    const wrong = await call(sim, 'GET', '/server/devices', { session });
    expect(wrong.status).toBe(405);
    expect(wrong.headers['allow']).toBe('POST');
  });

  it('writes error bodies as text, quoted strings (depsim) or JSON', async () => {
    for (const [style, body] of [
      ['text', 'CURSOR_REQUIRED'],
      ['quoted', '"CURSOR_REQUIRED"'],
      ['json', '{"code":"CURSOR_REQUIRED"}'],
    ] as const) {
      const sim = createDepSimulator({ errorBodyStyle: style });
      const res = await call(sim, 'POST', '/devices/sync', {
        session: sim.sessions.create(),
        body: {},
      });
      expect(res.text).toBe(body);
    }
  });
});
