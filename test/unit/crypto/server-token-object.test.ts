import { describe, expect, it } from 'vitest';
import {
  createServerToken,
  type ServerToken,
  serverTokenFromJSON,
  serverTokenToJSON,
} from '../../../src/crypto/index.js';
import { isAbmError } from '../../../src/errors/index.js';
import { secretFragments, syntheticToken } from './helpers.js';

const fields = syntheticToken('object');

function expectSameFields(token: ServerToken): void {
  expect(token.consumerKey).toBe(fields.consumerKey);
  expect(token.consumerSecret).toBe(fields.consumerSecret);
  expect(token.accessToken).toBe(fields.accessToken);
  expect(token.accessSecret).toBe(fields.accessSecret);
  expect(token.accessTokenExpiry).toEqual(fields.accessTokenExpiry);
}

describe('createServerToken', () => {
  it('keeps every field readable by code', () => {
    expectSameFields(createServerToken(fields));
  });

  it('is frozen, hides secrets from keys and spread, and protects its expiry from mutation', () => {
    const token = createServerToken(fields);
    expect(Object.isFrozen(token)).toBe(true);
    expect(Object.keys(token)).toEqual([]);
    expect(JSON.stringify({ ...token })).toBe('{}');
    expect(() => {
      (token as { consumerKey: string }).consumerKey = 'CK_other';
    }).toThrow(TypeError);
    token.accessTokenExpiry.setFullYear(1999);
    expect(token.accessTokenExpiry).toEqual(fields.accessTokenExpiry);
  });

  it('serialises to a redacted JSON showing consumer key and expiry', () => {
    const token = createServerToken(fields);
    expect(JSON.parse(JSON.stringify(token))).toEqual({
      consumerKey: fields.consumerKey,
      consumerSecret: '[REDACTED]',
      accessToken: '[REDACTED]',
      accessSecret: '[REDACTED]',
      accessTokenExpiry: '2027-03-04T05:06:07Z',
    });
    expect(`${token}`).toBe(`ServerToken(${fields.consumerKey}, expires 2027-03-04T05:06:07Z)`);
    expect(Object.prototype.toString.call(token)).toBe('[object ServerToken]');
  });

  it('rejects missing, empty and non-printable fields without echoing values', () => {
    const bad = [
      { ...fields, consumerSecret: '' },
      { ...fields, accessToken: 'AT_with space' },
      { ...fields, accessSecret: undefined as unknown as string },
      { ...fields, accessTokenExpiry: new Date(Number.NaN) },
      null as unknown as typeof fields,
    ];
    for (const input of bad) {
      let caught: unknown;
      try {
        createServerToken(input);
      } catch (error) {
        caught = error;
      }
      expect(isAbmError(caught, 'INVALID_ARGUMENT')).toBe(true);
      const text = `${(caught as Error).message} ${JSON.stringify(caught)}`;
      for (const fragment of secretFragments(fields)) expect(text).not.toContain(fragment);
    }
  });

  it('accepts another ServerToken (its getters) as input', () => {
    expectSameFields(createServerToken(createServerToken(fields)));
  });
});

describe('serverTokenToJSON / serverTokenFromJSON', () => {
  it('round-trips through plain JSON for storage', () => {
    const stored = JSON.parse(JSON.stringify(serverTokenToJSON(createServerToken(fields))));
    expect(stored).toEqual({
      consumerKey: fields.consumerKey,
      consumerSecret: fields.consumerSecret,
      accessToken: fields.accessToken,
      accessSecret: fields.accessSecret,
      accessTokenExpiry: '2027-03-04T05:06:07Z',
    });
    const rebuilt = serverTokenFromJSON(stored);
    expectSameFields(rebuilt);
    expect(JSON.stringify(rebuilt)).not.toContain(fields.accessSecret);
  });

  it("reads Apple's snake_case token JSON and a Date expiry", () => {
    expectSameFields(
      serverTokenFromJSON({
        consumer_key: fields.consumerKey,
        consumer_secret: fields.consumerSecret,
        access_token: fields.accessToken,
        access_secret: fields.accessSecret,
        access_token_expiry: '2027-03-04T05:06:07Z',
      }),
    );
    expectSameFields(serverTokenFromJSON({ ...fields }));
  });

  it('rejects bad input with INVALID_ARGUMENT naming fields only', () => {
    for (const input of [
      null,
      'a string',
      { ...serverTokenToJSON(createServerToken(fields)), accessTokenExpiry: 'soon' },
      { ...serverTokenToJSON(createServerToken(fields)), consumerSecret: 7 },
    ]) {
      let caught: unknown;
      try {
        serverTokenFromJSON(input);
      } catch (error) {
        caught = error;
      }
      expect(isAbmError(caught, 'INVALID_ARGUMENT')).toBe(true);
      for (const fragment of secretFragments(fields)) {
        expect((caught as Error).message).not.toContain(fragment);
      }
    }
  });
});
