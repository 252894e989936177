import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { oauth1Header } from '../../../../src/auth/oauth1.js';
import {
  createDepSimulator,
  type DepSimulator,
  type SimTokenCredentials,
} from '../../../../src/testing/index.js';
import { call, handSignedAuthorization, sessionAuthorization, UA } from './helpers.js';

const START = Date.parse('2026-03-02T10:00:00Z');

describe('hand-computed RFC 5849 signer (test oracle)', () => {
  it('reproduces the RFC 5849 §1.2 example signature', () => {
    const { signature } = handSignedAuthorization({
      method: 'GET',
      url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
      consumerKey: 'dpf43f3p2l4k3l03',
      consumerSecret: 'kd94hf93k423kf44',
      token: 'nnch734d00sl2jdk',
      tokenSecret: 'pfkkdhi9sl3r4s00',
      timestamp: 137131202,
      nonce: 'chapoH',
      version: false,
    });
    expect(signature).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=');
  });
});

describe('GET /session over loopback HTTP with plain fetch', () => {
  let sim: DepSimulator;
  let base: string;
  let creds: SimTokenCredentials;

  beforeEach(async () => {
    sim = createDepSimulator({ devices: 10, seed: 7, now: () => START });
    creds = sim.tokens.create({
      consumer_key: 'CK_hand',
      consumer_secret: "CS_secret&symbols*~!'()",
      access_token: 'AT_hand',
      access_secret: 'AS_s3cr3t/+=',
    });
    base = await sim.listen();
  });
  afterEach(async () => {
    await sim.close();
  });

  const get = (authorization: string, ua: string | null = UA) =>
    fetch(`${base}/session`, {
      headers: {
        authorization,
        'x-server-protocol-version': '10',
        ...(ua ? { 'user-agent': ua } : {}),
      },
    });

  it('accepts a signature computed by hand from RFC 5849 and returns a usable session', async () => {
    const res = await get(sessionAuthorization(sim, base, creds));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { auth_session_token: string };
    expect(body.auth_session_token).toMatch(/^[0-9a-f]{128}$/);
    const account = await fetch(`${base}/account`, {
      headers: { 'user-agent': UA, 'x-adm-auth-session': body.auth_session_token },
    });
    expect(account.status).toBe(200);
  });

  it('refuses a signature made with the wrong consumer secret (401 signature_invalid)', async () => {
    const res = await get(sessionAuthorization(sim, base, creds, { consumerSecret: 'CS_wrong' }));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('oauth_problem=signature_invalid');
  });

  it('refuses a tampered signature', async () => {
    const header = sessionAuthorization(sim, base, creds).replace(
      /oauth_signature="([^"]+)"/,
      (_m, sig: string) => `oauth_signature="${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}"`,
    );
    const res = await get(header);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('signature_invalid');
  });

  it('accepts abmkit’s own signer too (oauth1Header)', async () => {
    const header = oauth1Header({
      method: 'GET',
      url: `${base}/session`,
      consumerKey: creds.consumer_key,
      consumerSecret: creds.consumer_secret,
      accessToken: creds.access_token,
      accessSecret: creds.access_secret,
      timestamp: Math.floor(START / 1000),
      realm: 'ADM',
    });
    expect((await get(header)).status).toBe(200);
  });

  it('answers 400 USER_AGENT_MISSING without a User-Agent', async () => {
    const res = await fetch(`${base}/session`, {
      headers: { authorization: sessionAuthorization(sim, base, creds), 'user-agent': '' },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('USER_AGENT_MISSING');
  });
});

describe('GET /session checks (core)', () => {
  let sim: DepSimulator;
  let now: number;
  let creds: SimTokenCredentials;
  const BASE = 'https://mdmenrollment.apple.com';

  beforeEach(() => {
    now = START;
    sim = createDepSimulator({ devices: 5, seed: 3, now: () => now });
    creds = sim.tokens.create();
  });

  const session = (authorization: string) =>
    call(sim, 'GET', '/session', { headers: { authorization } });

  it('refuses a stale timestamp outside the default 5-minute window', async () => {
    const stale = Math.floor(START / 1000) - 301;
    const res = await session(sessionAuthorization(sim, BASE, creds, { timestamp: stale }));
    expect(res.status).toBe(401);
    expect(res.text).toContain('timestamp_refused');
    const fresh = Math.floor(START / 1000) - 299;
    expect(
      (await session(sessionAuthorization(sim, BASE, creds, { timestamp: fresh }))).status,
    ).toBe(200);
  });

  it('honours a configured timestamp window', async () => {
    sim = createDepSimulator({ now: () => now, oauthTimestampWindowMs: 30_000 });
    creds = sim.tokens.create();
    const ts = Math.floor(START / 1000) - 31;
    expect((await session(sessionAuthorization(sim, BASE, creds, { timestamp: ts }))).status).toBe(
      401,
    );
  });

  it('refuses a reused nonce', async () => {
    const header = sessionAuthorization(sim, BASE, creds, { nonce: 'same-nonce' });
    expect((await session(header)).status).toBe(200);
    const again = await session(header);
    expect(again.status).toBe(401);
    expect(again.text).toContain('nonce_used');
  });

  it('rejects unknown consumer keys, unsupported methods and missing parameters', async () => {
    const unknown = await session(
      sessionAuthorization(sim, BASE, { ...creds, consumer_key: 'CK_nobody' }),
    );
    expect(unknown.status).toBe(401);
    const plaintext = sessionAuthorization(sim, BASE, creds).replace('HMAC-SHA1', 'PLAINTEXT');
    const method = await session(plaintext);
    expect(method.status).toBe(400);
    expect(method.text).toContain('signature_method_rejected');
    const missing = await session(
      sessionAuthorization(sim, BASE, creds).replace(/,\s*oauth_nonce="[^"]*"/, ''),
    );
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('parameter_absent');
    const duplicated = await session(
      `${sessionAuthorization(sim, BASE, creds)}, oauth_nonce="again"`,
    );
    expect(duplicated.status).toBe(400);
    expect(duplicated.text).toContain('parameter_rejected');
  });

  it('answers 403 T_C_NOT_SIGNED while terms are not accepted, on /session and on API calls', async () => {
    const live = sim.sessions.create(creds.consumer_key);
    sim.account.setTermsSigned(false);
    const res = await session(sessionAuthorization(sim, BASE, creds));
    expect(res.status).toBe(403);
    expect(res.text).toBe('T_C_NOT_SIGNED');
    expect((await call(sim, 'GET', '/account', { session: live })).text).toBe('T_C_NOT_SIGNED');
    sim.account.setTermsSigned(true);
    expect((await session(sessionAuthorization(sim, BASE, creds))).status).toBe(200);
  });

  it('answers token_rejected for a revoked token and token_expired for an expired one', async () => {
    const live = sim.sessions.create(creds.consumer_key);
    sim.tokens.revoke(creds.consumer_key);
    const revoked = await session(sessionAuthorization(sim, BASE, creds));
    expect(revoked.status).toBe(401);
    expect(revoked.text).toContain('token_rejected');
    const call403 = await call(sim, 'GET', '/account', { session: live });
    expect(call403.status).toBe(403);
    expect(call403.text).toBe('token_rejected');

    const other = sim.tokens.create({ expiresAt: new Date(START + 60_000) });
    expect((await session(sessionAuthorization(sim, BASE, other))).status).toBe(200);
    now += 61_000;
    const expired = await session(sessionAuthorization(sim, BASE, other));
    expect(expired.status).toBe(403);
    expect(expired.text).toBe('token_expired');
  });
});

describe('session tokens', () => {
  it('answers 401 for missing, unknown and expired sessions', async () => {
    let now = START;
    const sim = createDepSimulator({ now: () => now, session: { ttlMs: 60_000 } });
    expect((await call(sim, 'GET', '/account')).status).toBe(401);
    expect((await call(sim, 'GET', '/account', { session: 'nope' })).text).toBe('UNAUTHORIZED');
    const s = sim.sessions.create();
    expect((await call(sim, 'GET', '/account', { session: s })).status).toBe(200);
    now += 60_000;
    expect((await call(sim, 'GET', '/account', { session: s })).status).toBe(401);
  });

  it('can answer 403 FORBIDDEN for unknown sessions, as depsim does', async () => {
    const sim = createDepSimulator({ session: { unknownSession: 'forbidden' } });
    const res = await call(sim, 'GET', '/account', { session: 'nope' });
    expect(res.status).toBe(403);
    expect(res.text).toBe('FORBIDDEN');
  });

  it('expires a session after its request budget, and the clock can be advanced', async () => {
    const sim = createDepSimulator({ now: () => START, session: { maxRequests: 2 } });
    const s = sim.sessions.create();
    expect((await call(sim, 'GET', '/account', { session: s })).status).toBe(200);
    expect((await call(sim, 'GET', '/account', { session: s })).status).toBe(200);
    expect((await call(sim, 'GET', '/account', { session: s })).status).toBe(401);
    const t = sim.sessions.create();
    sim.clock.advance(31 * 60_000);
    expect((await call(sim, 'GET', '/account', { session: t })).status).toBe(401);
  });

  it('rotates sessions through X-ADM-Auth-Session, deterministically from the seed', async () => {
    const rotations = async (seed: number) => {
      const sim = createDepSimulator({ seed, session: { rotateProbability: 0.3 } });
      let s = sim.sessions.create();
      const pattern: boolean[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await call(sim, 'GET', '/account', { session: s });
        expect(res.status).toBe(200);
        const next = res.headers['x-adm-auth-session'];
        pattern.push(next !== undefined);
        if (next) {
          // The old token stops working; the new one works.
          expect((await call(sim, 'GET', '/account', { session: s })).status).toBe(401);
          s = next;
        }
      }
      expect(sim.counters.sessionsRotated).toBe(pattern.filter(Boolean).length);
      return pattern;
    };
    const a = await rotations(11);
    expect(a.some(Boolean)).toBe(true);
    expect(a.every(Boolean)).toBe(false);
    expect(await rotations(11)).toEqual(a);
  });

  it('rotateNext forces one rotation', async () => {
    const sim = createDepSimulator();
    const s = sim.sessions.create();
    sim.sessions.rotateNext();
    const res = await call(sim, 'GET', '/account', { session: s });
    expect(res.headers['x-adm-auth-session']).toMatch(/^[0-9a-f]{128}$/);
    const after = await call(sim, 'GET', '/account', {
      session: res.headers['x-adm-auth-session'] as string,
    });
    expect(after.headers['x-adm-auth-session']).toBeUndefined();
  });

  it('rejects configured User-Agents with USER_AGENT_INVALID', async () => {
    const sim = createDepSimulator({ invalidUserAgents: [/godep/] });
    const s = sim.sessions.create();
    const res = await call(sim, 'GET', '/account', {
      session: s,
      headers: { 'user-agent': 'nanodep-godep/0' },
    });
    expect(res.status).toBe(400);
    expect(res.text).toBe('USER_AGENT_INVALID');
  });
});
