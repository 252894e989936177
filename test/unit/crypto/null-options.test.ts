import { describe, expect, it } from 'vitest';
import { generateKeyPair, tokenHealth } from '../../../src/index.js';

// Regression: a JavaScript caller passing null for "no options" got a bare TypeError
// ("Cannot read properties of null") instead of the defaults.
describe('crypto entry points with null options', () => {
  it('tokenHealth(token, null) uses now and the 30-day window', () => {
    const expiry = new Date(Date.now() + 10 * 86_400_000);
    expect(tokenHealth({ accessTokenExpiry: expiry }, null as never).status).toBe('renew-soon');
  });

  it('generateKeyPair(null) generates the default 2048-bit pair', async () => {
    const pair = await generateKeyPair(null as never);
    expect(pair.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(pair.certificatePem).toContain('-----BEGIN CERTIFICATE-----');
  });
});
