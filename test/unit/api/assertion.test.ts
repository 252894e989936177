import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mintClientAssertion } from '../../../src/api/assertion.js';
import { resolveCredentials } from '../../../src/api/credentials.js';

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const creds = resolveCredentials({
  clientId: 'BUSINESSAPI.6f1d2c3b-aaaa-bbbb-cccc-0123456789ab',
  keyId: 'KEY-1',
  privateKey: pair.privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
});

const decode = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** R‖S (64 bytes) as the DER ECDSA-Sig-Value openssl expects. */
function p1363ToDer(sig: Buffer): Buffer {
  const int = (b: Buffer): Buffer => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && (v[1] ?? 0) < 0x80) v = v.subarray(1);
    if ((v[0] ?? 0) >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(sig.subarray(0, 32)), int(sig.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe('the ES256 client assertion', () => {
  const now = Date.UTC(2026, 0, 2, 3, 4, 5);
  const jwt = mintClientAssertion(creds, { nowMs: now });
  const [h = '', c = '', s = ''] = jwt.split('.');

  it('carries the documented header and claims', () => {
    expect(decode(h)).toEqual({ alg: 'ES256', kid: 'KEY-1', typ: 'JWT' });
    const claims = decode(c);
    expect(claims['iss']).toBe(creds.clientId);
    expect(claims['sub']).toBe(creds.clientId);
    expect(claims['aud']).toBe('https://account.apple.com/auth/oauth2/v2/token');
    expect(claims['iat']).toBe(Math.floor(now / 1000));
    expect(claims['exp']).toBe(Math.floor(now / 1000) + 300);
    expect(claims['jti']).toMatch(/^[0-9a-f-]{36}$/);
    expect(decode(mintClientAssertion(creds, { nowMs: now }).split('.')[1] ?? '')['jti']).not.toBe(
      claims['jti'],
    );
  });

  it('verifies with node:crypto in the JOSE (ieee-p1363) encoding', () => {
    const signature = Buffer.from(s, 'base64url');
    expect(signature).toHaveLength(64);
    const ok = verify(
      'sha256',
      Buffer.from(`${h}.${c}`),
      { key: pair.publicKey, dsaEncoding: 'ieee-p1363' },
      signature,
    );
    expect(ok).toBe(true);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(
      verify(
        'sha256',
        Buffer.from(`${h}.${c}`),
        { key: other, dsaEncoding: 'ieee-p1363' },
        signature,
      ),
    ).toBe(false);
  });

  it('verifies with openssl', () => {
    let hasOpenssl = true;
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      hasOpenssl = false;
    }
    if (!hasOpenssl) return expect(hasOpenssl).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'abmkit-jwt-'));
    try {
      writeFileSync(
        join(dir, 'pub.pem'),
        createPublicKey(pair.privateKey).export({ format: 'pem', type: 'spki' }),
      );
      writeFileSync(join(dir, 'data'), `${h}.${c}`);
      writeFileSync(join(dir, 'sig'), p1363ToDer(Buffer.from(s, 'base64url')));
      const out = execFileSync('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        join(dir, 'pub.pem'),
        '-signature',
        join(dir, 'sig'),
        join(dir, 'data'),
      ]).toString();
      expect(out).toContain('Verified OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
