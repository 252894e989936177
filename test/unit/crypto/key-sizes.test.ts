import { describe, expect, it } from 'vitest';
import { decryptServerToken, generateKeyPair } from '../../../src/index.js';
import { encryptServerToken } from '../../../src/testing/index.js';

const token = {
  consumerKey: 'CK_sizes',
  consumerSecret: 'CS_sizes_secret',
  accessToken: 'AT_sizes_token',
  accessSecret: 'AS_sizes_secret',
  accessTokenExpiry: new Date('2030-06-01T00:00:00Z'),
};

// generateKeyPair offers 2048, 3072 and 4096 bits; ABM uses RSA PKCS#1 v1.5 key transport, whose
// blocks are longer than 256 bytes for the two larger sizes.
describe('every key size generateKeyPair offers decrypts ABM-style tokens', () => {
  for (const modulusLength of [3072, 4096] as const) {
    it(`RSA-${modulusLength} with PKCS#1 v1.5 and OAEP key transport`, async () => {
      const { privateKeyPem, certificatePem } = await generateKeyPair({ modulusLength });
      for (const keyTransport of ['rsa-pkcs1', 'rsa-oaep'] as const) {
        const file = await encryptServerToken(token, certificatePem, { keyTransport });
        const decrypted = await decryptServerToken(file, privateKeyPem);
        expect(decrypted.accessSecret).toBe(token.accessSecret);
        expect(decrypted.accessTokenExpiry.toISOString()).toBe('2030-06-01T00:00:00.000Z');
      }
    }, 60_000);
  }
});
