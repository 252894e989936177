import { isDeepStrictEqual } from 'node:util';
import type { TokenExpectation, TokenRecord } from '../storage/types.js';

/** Whether a stored token holds every value of `expect` (`null`/`undefined` = absent). @internal */
export function tokenMatches(stored: TokenRecord, expect: TokenExpectation): boolean {
  for (const [k, v] of Object.entries(expect)) {
    const have = (stored as unknown as Record<string, unknown>)[k] ?? null;
    if (!isDeepStrictEqual(have, v ?? null)) return false;
  }
  return true;
}
