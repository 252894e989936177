import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptServerToken, tokenHealth } from '../../../src/crypto/index.js';
import { appleFixtureDir, repoRoot, toPkcs1 } from './helpers.js';

const dir = appleFixtureDir();

if (dir === undefined) {
  describe('real ABM-issued token', () => {
    it('is skipped because ../shared/fixtures/apple-token is absent', () => {
      const expected = path.resolve(repoRoot, '../shared/fixtures/apple-token');
      console.warn(`SKIPPING real ABM token test: ${expected} not found`);
      expect(existsSync(path.join(expected, 'server-token.p7m'))).toBe(false);
    });
  });
} else {
  const file = readFileSync(path.join(dir, 'server-token.p7m'));
  const key = readFileSync(path.join(dir, 'private-key.pem'), 'utf8');

  describe('real ABM-issued token (../shared/fixtures/apple-token)', () => {
    it('decrypts to the documented expiry and credential prefixes', async () => {
      const token = await decryptServerToken(file.toString('utf8'), key);
      expect(token.accessTokenExpiry.toISOString()).toBe('2026-01-17T11:02:21.000Z');
      expect(token.consumerKey.startsWith('CK_')).toBe(true);
      expect(token.consumerSecret.startsWith('CS_')).toBe(true);
      expect(token.accessToken.startsWith('AT_')).toBe(true);
      expect(token.accessSecret.startsWith('AS_')).toBe(true);
    });

    it('decrypts from bytes, CRLF, bare base64 and DER, and with a PKCS#8 key', async () => {
      const text = file.toString('utf8');
      const body = text.split('\n\n')[1] ?? '';
      const der = new Uint8Array(Buffer.from(body, 'base64'));
      const pkcs8 = (await import('node:crypto'))
        .createPrivateKey(key)
        .export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const shapes: (string | Uint8Array)[] = [
        new Uint8Array(file),
        text.replace(/\n/g, '\r\n'),
        body,
        der,
      ];
      for (const shape of shapes) {
        const token = await decryptServerToken(shape, pkcs8);
        expect(token.accessTokenExpiry.toISOString()).toBe('2026-01-17T11:02:21.000Z');
      }
      expect(toPkcs1(pkcs8)).toContain('BEGIN RSA PRIVATE KEY');
    });

    it('is reported as expired by tokenHealth', async () => {
      const token = await decryptServerToken(file, key);
      const health = tokenHealth(token, { now: new Date('2026-01-18T11:02:21Z') });
      expect(health).toEqual({
        status: 'expired',
        expiresAt: new Date('2026-01-17T11:02:21Z'),
        daysLeft: -1,
      });
    });
  });
}
