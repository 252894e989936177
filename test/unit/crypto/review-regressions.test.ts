import { describe, expect, it } from 'vitest';
import { decryptServerToken, generateKeyPair, isAbmError } from '../../../src/index.js';
import { abmPayload, forgeEncrypt, syntheticToken } from './helpers.js';

const keys = await generateKeyPair();
const token = syntheticToken('review');
const der = forgeEncrypt(abmPayload(token), keys.certificatePem);

describe('decryptServerToken: private keys as admins paste them', () => {
  // Regression: createPrivateKey rejects a PEM whose lines are indented (copied from YAML, a
  // JSON config or a heredoc) or whose line breaks are the two characters `\n` (an environment
  // variable), so the right key was refused as PRIVATE_KEY_INVALID.
  it('accepts an indented PEM', async () => {
    const indented = keys.privateKeyPem
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
    const result = await decryptServerToken(der, indented);
    expect(result.consumerKey).toBe(token.consumerKey);
  });

  it('accepts a PEM whose line breaks are escaped as \\n (an environment variable)', async () => {
    const escaped = keys.privateKeyPem.trim().replace(/\n/g, '\\n');
    expect(escaped).not.toContain('\n');
    const result = await decryptServerToken(der, escaped);
    expect(result.accessSecret).toBe(token.accessSecret);
  });

  it('still refuses a damaged key body with PRIVATE_KEY_INVALID', async () => {
    const damaged = keys.privateKeyPem.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n!!notbase64!!\n');
    const error = await decryptServerToken(der, damaged).catch((e: unknown) => e);
    expect(isAbmError(error) && error.code).toBe('PRIVATE_KEY_INVALID');
  });
});

describe('decryptServerToken: access_token_expiry must be a real calendar instant', () => {
  // Regression: Date.parse rolls 2027-02-31 over to 3 March and T24:00 to the next day, so a
  // malformed expiry was accepted as a different date instead of TOKEN_PAYLOAD_INVALID.
  const json = (expiry: string) =>
    JSON.stringify({
      consumer_key: 'CK_x',
      consumer_secret: 'CS_x',
      access_token: 'AT_x',
      access_secret: 'AS_x',
      access_token_expiry: expiry,
    });

  it.each([
    '2027-02-31T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2027-04-31T00:00:00Z',
    '2027-01-01T24:00:00Z',
  ])('rejects %s', async (expiry) => {
    const file = forgeEncrypt(abmPayload(token, json(expiry)), keys.certificatePem);
    const error = await decryptServerToken(file, keys.privateKeyPem).catch((e: unknown) => e);
    expect(isAbmError(error) && error.code).toBe('TOKEN_PAYLOAD_INVALID');
    expect(String((error as Error).message)).toContain('access_token_expiry');
  });

  it.each([
    ['2028-02-29T23:59:59Z', '2028-02-29T23:59:59.000Z'],
    ['2027-12-31T23:00:00-01:00', '2028-01-01T00:00:00.000Z'],
    ['2027-06-30T12:00:00.5Z', '2027-06-30T12:00:00.500Z'],
  ])('accepts %s', async (expiry, iso) => {
    const file = forgeEncrypt(abmPayload(token, json(expiry)), keys.certificatePem);
    const result = await decryptServerToken(file, keys.privateKeyPem);
    expect(result.accessTokenExpiry.toISOString()).toBe(iso);
  });
});
