import { describe, expect, it } from 'vitest';
import {
  AbmClient,
  AbmManager,
  createKeyring,
  createServerToken,
  MemoryStorage,
  normalizeSerial,
  profilePreset,
  serverTokenFromJSON,
} from '../../../src/index.js';
import { TEST_KEY } from './helpers.js';

const token = () =>
  createServerToken({
    consumerKey: 'CK_1',
    consumerSecret: 'CS_1',
    accessToken: 'AT_1',
    accessSecret: 'AS_1',
    accessTokenExpiry: new Date(Date.now() + 86_400_000),
  });
const client = () => new AbmClient({ token: token(), baseUrl: 'http://127.0.0.1:9' });
const storage = () => new MemoryStorage({ encryptionKey: TEST_KEY });
const manager = (extra: object = {}) =>
  new AbmManager({ storage: storage(), telemetry: false, ...extra });

/** Runs `f` (sync or async) and returns the error's code and message. */
async function failure(
  f: () => unknown,
): Promise<{ code?: string | undefined; name: string; message: string }> {
  try {
    await f();
  } catch (error) {
    const e = error as { code?: string; name: string; message: string };
    return { code: e.code, name: e.name, message: e.message };
  }
  throw new Error('expected a failure, got success');
}

describe('bad input gets a typed error at the door', () => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      'createKeyPair(id, null)',
      () => manager().createKeyPair('t', null as never),
      /createKeyPair options/,
    ],
    ['listTokens(null)', () => manager().listTokens(null as never), /listTokens options/],
    ['client.getAccount(null)', () => client().getAccount(null as never), /getAccount options/],
    [
      'getAccount({ signal: {} })',
      () => client().getAccount({ signal: {} as never }),
      /signal must be an AbortSignal/,
    ],
    [
      'removeProfile(s, null)',
      () => client().removeProfile(['C02XL0ABJG5H'], null as never),
      /removeProfile options/,
    ],
    [
      'new AbmClient({ userAgent: 42 })',
      () => new AbmClient({ token: token(), userAgent: 42 as never }),
      /userAgent must be a string/,
    ],
    [
      'new AbmClient({ fetch: 42 })',
      () => new AbmClient({ token: token(), fetch: 42 as never }),
      /fetch must be a function/,
    ],
    [
      'createKeyring({ keys: null })',
      () => createKeyring({ activeKeyId: 'a', keys: null as never }),
      /createKeyring/,
    ],
    ['storage.saveToken(id, null)', () => storage().saveToken('t', null as never), /token patch/],
    [
      'updateDevices(id, [null])',
      () => storage().updateDevices('t', [null as never]),
      /device patch/,
    ],
    [
      'profilePreset(automated, null)',
      () => profilePreset('automated', null as never),
      /options must be an object/,
    ],
    ['normalizeSerial(null)', () => normalizeSerial(null as never), /serial number string/],
    [
      'manager on { storage: {} }',
      () => new AbmManager({ storage: {} as never }),
      /storage must be an AbmStorage/,
    ],
    [
      "listDevices({ status: 'bogus' })",
      () => manager().listDevices('t', { status: 'bogus' as never }),
      /status/,
    ],
    [
      'numeric customerId',
      () => manager().createKeyPair('t', { customerId: 42 as never }),
      /customerId must be a string/,
    ],
    [
      'serverTokenFromJSON 2025-02-30',
      () =>
        serverTokenFromJSON({
          consumerKey: 'CK_1',
          consumerSecret: 'CS_1',
          accessToken: 'AT_1',
          accessSecret: 'AS_1',
          accessTokenExpiry: '2025-02-30T00:00:00Z',
        }),
      /accessTokenExpiry/,
    ],
    ['manager userAgent: 42', () => manager({ userAgent: 42 }), /userAgent must be a string/],
    [
      'manager invalid baseUrl',
      () => manager({ baseUrl: 'not a url' }),
      /baseUrl must be an absolute http\(s\) URL/,
    ],
    [
      'manager leaseTtlMs: 1000.5',
      () => manager({ leaseTtlMs: 1000.5 }),
      /leaseTtlMs must be a whole number/,
    ],
    ['manager fetch: 42', () => manager({ fetch: 42 }), /fetch must be a function/],
    [
      'syncNow({ signal: {} })',
      () => manager().syncNow('t', { signal: {} as never }),
      /signal must be an AbortSignal/,
    ],
  ];
  for (const [name, f, message] of cases) {
    it(name, async () => {
      const e = await failure(f);
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.name).not.toBe('TypeError');
      expect(e.message).toMatch(message);
    });
  }

  it('listDevices accepts the null cursor that nextCursor returns', async () => {
    const m = manager();
    await m.createKeyPair('t');
    const page = await m.listDevices('t', { cursor: null });
    expect(page).toEqual({ items: [], nextCursor: null });
  });
});
