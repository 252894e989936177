import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ABM_ERROR_CODES,
  AbmApiError,
  AbmError,
  isAbmError,
  isApiError,
  isTokenHealthError,
  TermsNotSignedError,
  TokenDecryptError,
} from '../../../src/index.js';

describe('AbmError hierarchy', () => {
  it('gives every error a code, a name and the root class', () => {
    const err = new TermsNotSignedError('Accept the new terms in ABM.', {
      status: 403,
      appleCode: 'T_C_NOT_SIGNED',
    });
    expect(err).toBeInstanceOf(AbmApiError);
    expect(err).toBeInstanceOf(AbmError);
    expect(err.code).toBe('TERMS_NOT_SIGNED');
    expect(err.name).toBe('TermsNotSignedError');
    expect(err.status).toBe(403);
    expect(err.retryable).toBe(false);
  });

  it('recognises errors from another copy of the package through the global brand', () => {
    const foreign = Object.assign(new Error('x'), { code: 'TOKEN_EXPIRED' });
    Object.defineProperty(foreign, Symbol.for('abmkit.error'), { value: true });
    expect(isAbmError(foreign)).toBe(true);
    expect(isAbmError(foreign, 'TOKEN_EXPIRED')).toBe(true);
    expect(isAbmError(foreign, 'TOKEN_REJECTED')).toBe(false);
    expect(isTokenHealthError(foreign)).toBe(true);
    expect(isAbmError(new Error('plain'))).toBe(false);
    expect(isAbmError({ code: 'TOKEN_EXPIRED' })).toBe(false);
  });

  it('tells API errors from the rest', () => {
    expect(isApiError(new AbmApiError('x', { status: 400 }))).toBe(true);
    expect(isApiError(new TokenDecryptError('x'))).toBe(false);
  });

  it('has unique codes and keeps the brand out of enumerable output', () => {
    expect(new Set(ABM_ERROR_CODES).size).toBe(ABM_ERROR_CODES.length);
    const err = new TokenDecryptError('wrong key');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'TokenDecryptError',
      code: 'TOKEN_DECRYPT_FAILED',
      message: 'wrong key',
      retryable: false,
    });
    expect(inspect(err)).toContain('TOKEN_DECRYPT_FAILED');
  });
});
