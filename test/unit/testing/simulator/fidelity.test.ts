/**
 * Fidelity gaps a real Go ADE client found: OAuth freshness on real time while the simulator
 * clock moves, Apple's OS names, and renewals that keep the MDM server's consumer key.
 */
import { describe, expect, it } from 'vitest';
import { decryptServerToken, generateKeyPair } from '../../../../src/crypto/index.js';
import { createDepSimulator, type SimTokenCredentials } from '../../../../src/testing/index.js';
import { call, handSignedAuthorization } from './helpers.js';

const BASE = 'https://mdmenrollment.apple.com';
const DAY = 86_400_000;
const REAL = Date.parse('2026-06-01T12:00:00Z');

function signedAt(creds: SimTokenCredentials, ms: number, nonce: string): string {
  return handSignedAuthorization({
    method: 'GET',
    url: `${BASE}/session`,
    consumerKey: creds.consumer_key,
    consumerSecret: creds.consumer_secret,
    token: creds.access_token,
    tokenSecret: creds.access_secret,
    timestamp: Math.floor(ms / 1000),
    nonce,
  }).header;
}

describe('OAuth freshness is judged on real time, not the simulator clock', () => {
  it('accepts a real-time oauth_timestamp after the clock moved 8 days, and refuses the moved time', async () => {
    const sim = createDepSimulator({ now: () => REAL });
    const creds = sim.tokens.create();
    sim.clock.advance(8 * DAY);
    const real = await call(sim, 'GET', '/session', {
      headers: { authorization: signedAt(creds, REAL, 'n1') },
    });
    expect(real.status).toBe(200);
    const moved = await call(sim, 'GET', '/session', {
      headers: { authorization: signedAt(creds, sim.clock.now(), 'n2') },
    });
    expect(moved.status).toBe(401);
    expect(moved.text).toContain('timestamp_refused');
    sim.clock.set(REAL - 30 * DAY);
    const after = await call(sim, 'GET', '/session', {
      headers: { authorization: signedAt(creds, REAL, 'n3') },
    });
    expect(after.status).toBe(200);
  });

  it('uses the oauthNow option when given, and still refuses a reused nonce across clock moves', async () => {
    let real = REAL;
    const sim = createDepSimulator({ now: () => Date.UTC(2020, 0, 1), oauthNow: () => real });
    const creds = sim.tokens.create({ expiresAt: new Date(Date.UTC(2021, 0, 1)) });
    const header = signedAt(creds, real, 'same');
    expect(
      (await call(sim, 'GET', '/session', { headers: { authorization: header } })).status,
    ).toBe(200);
    sim.clock.advance(DAY);
    const reused = await call(sim, 'GET', '/session', { headers: { authorization: header } });
    expect(reused.text).toContain('nonce_used');
    real += 10 * 60_000;
    const stale = await call(sim, 'GET', '/session', { headers: { authorization: header } });
    expect(stale.text).toContain('timestamp_refused');
  });

  it('still expires tokens on the simulator clock (a clock-driven renewal scenario)', async () => {
    const sim = createDepSimulator({ now: () => REAL });
    const creds = sim.tokens.create({ expiresAt: new Date(REAL + 20 * DAY) });
    sim.clock.advance(21 * DAY);
    const res = await call(sim, 'GET', '/session', {
      headers: { authorization: signedAt(creds, REAL, 'n') },
    });
    expect(res.status).toBe(403);
    expect(res.text).toBe('token_expired');
  });
});

describe('OS names follow Apple’s schema', () => {
  it('beta enrollment tokens say OSX (never macOS), and the other platforms by Apple’s names', async () => {
    const sim = createDepSimulator();
    const session = sim.sessions.create();
    const res = await call(sim, 'GET', '/os-beta-enrollment/tokens', { session });
    const oses = res.json.betaEnrollmentTokens.map((t: { os: string }) => t.os);
    expect(new Set(oses)).toEqual(
      new Set(['iOS', 'OSX', 'tvOS', 'watchOS', 'visionOS', 'homePodOS']),
    );
    expect(oses).not.toContain('macOS');
  });

  it('every device os is one of Apple’s names, at every protocol version', async () => {
    const sim = createDepSimulator({
      devices: 400,
      seed: 9,
      platforms: { Watch: 5 },
    });
    const session = sim.sessions.create();
    const apple = new Set(['iOS', 'iPadOS', 'OSX', 'tvOS', 'visionOS', 'watchOS']);
    for (const protocol of [2, 6, 7, 10]) {
      const res = await call(sim, 'POST', '/server/devices', {
        session,
        protocol,
        body: { limit: 1000 },
      });
      const oses = new Set<string>(res.json.devices.map((d: { os: string }) => d.os));
      for (const os of oses) expect(apple.has(os)).toBe(true);
      expect(oses.has('iPadOS')).toBe(protocol >= 7);
    }
  });
});

describe('renewal of a known MDM server', async () => {
  const keys = await generateKeyPair();

  it('keeps the consumer key and secret, issues a new access token, and the old one is rejected', async () => {
    const sim = createDepSimulator({ now: () => REAL });
    const first = await sim.issueServerToken(keys.certificatePem);
    expect(first.renewal).toBe(false);
    const old = await decryptServerToken(first.file, keys.privateKeyPem);
    sim.clock.advance(300 * DAY);
    const renewed = await sim.issueServerToken(keys.certificatePem, {
      consumer_key: first.consumerKey,
    });
    expect(renewed.renewal).toBe(true);
    expect(renewed.consumerKey).toBe(first.consumerKey);
    expect(renewed.expiresAt.getTime()).toBe(REAL + 665 * DAY);
    const token = await decryptServerToken(renewed.file, keys.privateKeyPem);
    expect(token.consumerKey).toBe(old.consumerKey);
    expect(token.consumerSecret).toBe(old.consumerSecret);
    expect(token.accessToken).not.toBe(old.accessToken);
    expect(token.accessSecret).not.toBe(old.accessSecret);
    expect(sim.tokens.list()).toEqual([first.consumerKey]);

    const asCreds = (t: typeof token): SimTokenCredentials => ({
      consumer_key: t.consumerKey,
      consumer_secret: t.consumerSecret,
      access_token: t.accessToken,
      access_secret: t.accessSecret,
      access_token_expiry: '',
    });
    const before = await call(sim, 'GET', '/session', {
      headers: { authorization: signedAt(asCreds(old), REAL, 'a') },
    });
    expect(before.status).toBe(401);
    expect(before.text).toContain('token_rejected');
    const after = await call(sim, 'GET', '/session', {
      headers: { authorization: signedAt(asCreds(token), REAL, 'b') },
    });
    expect(after.status).toBe(200);
  });

  it('registers an unknown consumer key as a new server, and keeps a renewed server on a bad certificate', async () => {
    const sim = createDepSimulator();
    const issued = await sim.issueServerToken(keys.certificatePem, { consumer_key: 'CK_GIVEN' });
    expect(issued).toMatchObject({ consumerKey: 'CK_GIVEN', renewal: false });
    const creds = (await decryptServerToken(issued.file, keys.privateKeyPem)).accessToken;
    await expect(
      sim.issueServerToken('not a certificate', { consumer_key: 'CK_GIVEN' }),
    ).rejects.toMatchObject({ code: 'CERTIFICATE_INVALID' });
    expect(sim.tokens.list()).toEqual(['CK_GIVEN']);
    const again = await sim.issueServerToken(keys.certificatePem, { consumer_key: 'CK_GIVEN' });
    expect(again.renewal).toBe(true);
    expect((await decryptServerToken(again.file, keys.privateKeyPem)).accessToken).not.toBe(creds);
  });
});
