import { describe, expect, it } from 'vitest';
import { decryptServerToken, generateKeyPair } from '../../../../src/crypto/index.js';
import { createDepSimulator } from '../../../../src/testing/index.js';
import { call, sessionAuthorization } from './helpers.js';

const BASE = 'https://mdmenrollment.apple.com';

describe('sim.issueServerToken', async () => {
  const keys = await generateKeyPair();

  it('returns an ABM-shaped S/MIME .p7m whose credentials the simulator accepts', async () => {
    const now = Date.parse('2026-01-17T10:58:00Z');
    const sim = createDepSimulator({ now: () => now, account: { server_name: 'Acme MDM' } });
    const issued = await sim.issueServerToken(keys.certificatePem);
    const lines = issued.file.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'Content-Type: application/pkcs7-mime; name="smime.p7m"; smime-type=enveloped-data',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7m"',
      'Content-Description: S/MIME Encrypted Message',
      '',
    ]);
    expect(lines[5]).toMatch(/^MIAGCSqGSIb3DQEHA6CAMIAC/); // BER, indefinite length, as ABM's
    expect(issued.filename).toBe('Acme_MDM_Token_20260117T105800Z_smime.p7m');
    expect(issued.expiresAt.toISOString()).toBe('2027-01-17T10:58:00.000Z');

    const token = await decryptServerToken(issued.file, keys.privateKeyPem);
    expect(token.consumerKey).toBe(issued.consumerKey);
    expect(token.consumerKey).toMatch(/^CK_/);
    expect(token.consumerSecret).toMatch(/^CS_/);
    expect(token.accessToken).toMatch(/^AT_/);
    expect(token.accessSecret).toMatch(/^AS_/);
    const res = await call(sim, 'GET', '/session', {
      headers: {
        authorization: sessionAuthorization(sim, BASE, {
          consumer_key: token.consumerKey,
          consumer_secret: token.consumerSecret,
          access_token: token.accessToken,
          access_secret: token.accessSecret,
          access_token_expiry: '',
        }),
      },
    });
    expect(res.status).toBe(200);
  });

  it('supports other ciphers, OAEP, and a chosen expiry (expired tokens are refused)', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const sim = createDepSimulator({ now: () => now });
    const issued = await sim.issueServerToken(keys.certificatePem, {
      contentCipher: 'aes-256-cbc',
      keyTransport: 'rsa-oaep',
      expiresAt: new Date(now + 3_600_000),
    });
    const token = await decryptServerToken(issued.file, keys.privateKeyPem);
    expect(token.accessTokenExpiry.toISOString()).toBe('2026-01-01T01:00:00.000Z');
    const creds = {
      consumer_key: token.consumerKey,
      consumer_secret: token.consumerSecret,
      access_token: token.accessToken,
      access_secret: token.accessSecret,
      access_token_expiry: '',
    };
    now += 3_600_000;
    const res = await call(sim, 'GET', '/session', {
      headers: { authorization: sessionAuthorization(sim, BASE, creds) },
    });
    expect(res.status).toBe(403);
    expect(res.text).toBe('token_expired');
  });

  it('registers nothing when the certificate is bad', async () => {
    const sim = createDepSimulator();
    await expect(sim.issueServerToken('not a pem')).rejects.toMatchObject({
      code: expect.any(String),
    });
    expect(sim.tokens.list()).toEqual([]);
  });
});

describe('no secrets in logs (canary)', () => {
  it('keeps OAuth secrets and session tokens out of the logger and the request log', async () => {
    const lines: string[] = [];
    const capture = (obj: unknown, msg?: string) => lines.push(JSON.stringify(obj) + (msg ?? ''));
    const sim = createDepSimulator({
      logger: { error: capture, warn: capture, info: capture, debug: capture },
    });
    const creds = sim.tokens.create({
      consumer_secret: 'CS_CANARY_SECRET_1',
      access_secret: 'AS_CANARY_SECRET_2',
      access_token: 'AT_CANARY_TOKEN_3',
    });
    const ok = await call(sim, 'GET', '/session', {
      headers: { authorization: sessionAuthorization(sim, BASE, creds) },
    });
    const session = ok.json.auth_session_token as string;
    await call(sim, 'GET', '/session', {
      headers: {
        authorization: sessionAuthorization(sim, BASE, creds, { consumerSecret: 'CS_x' }),
      },
    });
    await call(sim, 'GET', '/account', { session });
    expect(lines.length).toBe(3);
    const everything =
      lines.join('\n') + JSON.stringify(sim.requests) + JSON.stringify(sim.counters);
    for (const secret of ['CANARY_SECRET_1', 'CANARY_SECRET_2', 'CANARY_TOKEN_3', session]) {
      expect(everything).not.toContain(secret);
    }
  });
});
