import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AbmApiClient } from '../../../src/api/index.js';
import { isAbmError } from '../../../src/errors/index.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const sec1 = ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString();
const pkcs8 = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const clientId = 'BUSINESSAPI.6f1d2c3b-aaaa-bbbb-cccc-0123456789ab';
const keyId = 'd136aa66-0c3b-4bd4-9892-c20e8db024ab';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isAbmError(error)) return error.code;
    return `not an AbmError: ${String(error)}`;
  }
  return 'no error';
}

describe('AbmApiClient credentials', () => {
  it('accepts SEC1 and PKCS#8 P-256 keys, also indented or with escaped line breaks', () => {
    for (const privateKey of [
      sec1,
      pkcs8,
      sec1.replace(/^/gm, '    '),
      pkcs8.replace(/\n/g, '\\n'),
    ]) {
      const client = new AbmApiClient({ clientId, keyId, privateKey });
      expect(client.baseUrl).toBe('https://api-business.apple.com');
    }
    const school = new AbmApiClient({
      clientId: clientId.replace('BUSINESSAPI', 'SCHOOLAPI'),
      keyId,
      privateKey: sec1,
    });
    expect(school.baseUrl).toBe('https://api-school.apple.com');
  });

  it('rejects bad credential files with typed errors that never echo the key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
      .privateKey.export({ format: 'pem', type: 'sec1' })
      .toString();
    const publicPem = ec.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const encrypted = ec.privateKey
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' })
      .toString();
    const cases: [string, unknown][] = [
      ['rsa', rsa],
      ['p384', p384],
      ['public', publicPem],
      ['encrypted', encrypted],
      ['garbage', '-----BEGIN EC PRIVATE KEY-----\nnot base64!!\n-----END EC PRIVATE KEY-----'],
      ['truncated', sec1.slice(0, 80)],
      ['empty', ''],
      ['number', 42],
      ['huge', `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(20_000)}\n-----END PRIVATE KEY-----`],
    ];
    for (const [name, privateKey] of cases) {
      let caught: unknown;
      try {
        new AbmApiClient({ clientId, keyId, privateKey: privateKey as string });
      } catch (error) {
        caught = error;
      }
      expect(isAbmError(caught), name).toBe(true);
      expect((caught as { code: string }).code, name).toBe('PRIVATE_KEY_INVALID');
      const body = sec1.split('\n')[1] ?? '';
      expect((caught as Error).message).not.toContain(body.slice(0, 20));
    }
  });

  it('rejects ids without their prefix and bad URLs', () => {
    expect(
      codeOf(() => new AbmApiClient({ clientId: '6f1d2c3b-aaaa', keyId, privateKey: sec1 })),
    ).toBe('INVALID_ARGUMENT');
    expect(
      codeOf(
        () => new AbmApiClient({ clientId: 'APPSTORE.6f1d2c3b-aaaa', keyId, privateKey: sec1 }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(
      codeOf(() => new AbmApiClient({ clientId, keyId: 'bad key id!', privateKey: sec1 })),
    ).toBe('INVALID_ARGUMENT');
    expect(
      codeOf(() => new AbmApiClient({ clientId, keyId, privateKey: sec1, baseUrl: 'ftp://x' })),
    ).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new AbmApiClient(null as never))).toBe('INVALID_ARGUMENT');
  });

  it('keeps the key out of inspect, JSON and string forms', () => {
    const client = new AbmApiClient({ clientId, keyId, privateKey: sec1 });
    const canary = sec1.split('\n')[1]?.slice(0, 24) ?? 'x';
    for (const text of [
      inspect(client, { depth: 10, showHidden: true }),
      JSON.stringify(client),
      String(client),
    ]) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain('PRIVATE KEY');
    }
  });
});
