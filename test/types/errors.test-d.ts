import { describe, expectTypeOf, it } from 'vitest';
import {
  type AbmClient,
  type AbmError,
  type AdeDevice,
  type AssignProfileResult,
  type CursorExpiredError,
  type DevicePage,
  isAbmError,
  isApiError,
  type RateLimitError,
  type TermsNotSignedError,
  type TimeoutError,
} from '../../src/index.js';

declare const err: unknown;
declare const client: AbmClient;

describe('error narrowing', () => {
  it('narrows on code through a switch', () => {
    if (isAbmError(err)) {
      switch (err.code) {
        case 'TERMS_NOT_SIGNED':
          expectTypeOf(err).toEqualTypeOf<
            TermsNotSignedError & { readonly code: 'TERMS_NOT_SIGNED' }
          >();
          expectTypeOf(err.status).toEqualTypeOf<number | undefined>();
          expectTypeOf(err.appleCode).toEqualTypeOf<string | undefined>();
          break;
        case 'RATE_LIMITED':
          expectTypeOf(err).toExtend<RateLimitError>();
          expectTypeOf(err.attempts).toEqualTypeOf<number>();
          break;
        case 'TIMEOUT':
          expectTypeOf(err).toExtend<TimeoutError>();
          // @ts-expect-error transport errors have no HTTP status
          void err.status;
          break;
        default:
          expectTypeOf(err).toExtend<AbmError>();
      }
    }
  });

  it('narrows with a code argument', () => {
    if (isAbmError(err, 'CURSOR_EXPIRED')) {
      expectTypeOf(err).toExtend<CursorExpiredError>();
      expectTypeOf(err.code).toEqualTypeOf<'CURSOR_EXPIRED'>();
    }
    if (isApiError(err)) {
      expectTypeOf(err.method).toEqualTypeOf<string | undefined>();
      expectTypeOf(err.path).toEqualTypeOf<string | undefined>();
    }
  });

  it('rejects unknown codes', () => {
    // @ts-expect-error not an abmkit error code
    isAbmError(err, 'NOT_A_CODE');
  });
});

describe('client types', () => {
  it('types pages, devices and results from the schemas', () => {
    expectTypeOf(client.devicePages()).toEqualTypeOf<AsyncGenerator<DevicePage, void, undefined>>();
    expectTypeOf(client.devices()).toEqualTypeOf<AsyncGenerator<AdeDevice, void, undefined>>();
    expectTypeOf<DevicePage['phase']>().toEqualTypeOf<'fetch' | 'sync'>();
    expectTypeOf<AdeDevice['serial_number']>().toEqualTypeOf<string>();
    expectTypeOf(client.assignProfile).returns.resolves.toEqualTypeOf<AssignProfileResult>();
    expectTypeOf<AssignProfileResult['devices'][string]>().toExtend<string>();
  });
});
