import { describe, expect, it } from 'vitest';
import { raceSignal } from '../../../src/client/abort.js';
import { findAppleCode, hasTokenHealthString } from '../../../src/client/apple-codes.js';
import { provablyNotSent, retryDecision } from '../../../src/client/retry-policy.js';
import { ConnectionError, TermsNotSignedError } from '../../../src/index.js';
import { makeClient } from './helpers.js';

function fetchFailed(...codes: string[]): TypeError {
  const inner =
    codes.length > 1
      ? Object.assign(
          new AggregateError(codes.map((code) => Object.assign(new Error(code), { code }))),
          {},
        )
      : Object.assign(new Error(codes[0]), { code: codes[0] });
  return new TypeError('fetch failed', { cause: inner });
}

describe('findAppleCode', () => {
  it('finds known strings by substring, specific before generic', () => {
    expect(findAppleCode('{"code":"DEVICE_NOT_FOUND"}')).toBe('DEVICE_NOT_FOUND');
    expect(findAppleCode('error: T_C_NOT_SIGNED.')).toBe('T_C_NOT_SIGNED');
  });
  it('falls back to a bare token or a JSON code/error field', () => {
    expect(findAppleCode('"SOMETHING_NEW"')).toBe('SOMETHING_NEW');
    expect(findAppleCode('{"error":"brand_new_thing","detail":"x y"}')).toBe('brand_new_thing');
    expect(findAppleCode('{"message":"no code here"}')).toBeUndefined();
    expect(findAppleCode('{not json')).toBeUndefined();
    expect(findAppleCode('<html>Bad gateway</html>')).toBeUndefined();
  });
  it('spots token-health strings', () => {
    expect(hasTokenHealthString('x token_expired y')).toBe(true);
    expect(hasTokenHealthString('FORBIDDEN')).toBe(false);
  });
});

describe('retry policy', () => {
  it('treats refused connections and DNS failures as never sent', () => {
    expect(provablyNotSent(fetchFailed('ECONNREFUSED'))).toBe(true);
    expect(provablyNotSent(fetchFailed('ENOTFOUND'))).toBe(true);
    expect(provablyNotSent(fetchFailed('ECONNREFUSED', 'ECONNREFUSED'))).toBe(true);
    expect(provablyNotSent(fetchFailed('ECONNRESET'))).toBe(false);
    expect(provablyNotSent(fetchFailed('ECONNREFUSED', 'ECONNRESET'))).toBe(false);
    expect(provablyNotSent(new TypeError('Failed to fetch'))).toBe(false);
  });
  it('decides per operation safety', () => {
    const timeout = Object.assign(new Error('t'), { name: 'TimeoutError' });
    expect(retryDecision(timeout, true)).toBe(true);
    expect(retryDecision(timeout, false)).toBe(false);
    expect(retryDecision(fetchFailed('ECONNRESET'), true)).toBe(true);
    expect(retryDecision(fetchFailed('ECONNRESET'), false)).toBe(false);
    expect(retryDecision(fetchFailed('ECONNREFUSED'), false)).toBe(true);
    expect(retryDecision(new TermsNotSignedError('x'), true)).toBe(false);
    expect(retryDecision(new DOMException('a', 'AbortError'), true)).toBe(false);
    expect(retryDecision(new RangeError('x'), true)).toBe(false);
  });
  it('replays an unsafe operation when the connection was refused', async () => {
    let calls = 0;
    const client = makeClient({
      fetch: async (input) => {
        const url = input instanceof Request ? input.url : String(input);
        if (url.endsWith('/session')) return Response.json({ auth_session_token: 's' });
        calls += 1;
        if (calls === 1) throw fetchFailed('ECONNREFUSED');
        if (calls === 2) throw fetchFailed('ECONNRESET');
        return Response.json({ devices: { A: 'SUCCESS' } });
      },
    });
    // Refused → replayed; reset (may have been sent) → not replayed.
    await expect(client.disownDevices(['A'])).rejects.toBeInstanceOf(ConnectionError);
    expect(calls).toBe(2);
  });
});

describe('raceSignal', () => {
  it('rejects when the signal aborts first and passes results through otherwise', async () => {
    const controller = new AbortController();
    const slow = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 50));
    const raced = raceSignal(slow, controller.signal, () => new Error('stop'));
    controller.abort();
    await expect(raced).rejects.toThrow('stop');
    await expect(
      raceSignal(Promise.resolve(1), new AbortController().signal, () => 0),
    ).resolves.toBe(1);
    await expect(
      raceSignal(Promise.reject(new Error('boom')), new AbortController().signal, () => 0),
    ).rejects.toThrow('boom');
    await expect(
      raceSignal(Promise.resolve(1), AbortSignal.abort(), () => new Error('pre')),
    ).rejects.toThrow('pre');
    await expect(raceSignal(Promise.resolve(2), undefined, () => 0)).resolves.toBe(2);
  });
});
