import { InvalidArgumentError } from '../errors/index.js';
import type { PageQuery } from '../storage/types.js';

/** Default page size of every listing. @internal */
export const DEFAULT_PAGE_LIMIT = 100;
/** Largest page size of every listing. @internal */
export const MAX_PAGE_LIMIT = 10_000;

/** The effective page size of a query. @internal */
export function pageLimit(query: PageQuery | undefined): number {
  const limit = query?.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new InvalidArgumentError(
      `A page limit must be an integer from 1 to ${MAX_PAGE_LIMIT}; got ${String(limit)}.`,
    );
  }
  return limit;
}

/** Encodes a multi-part listing position as an opaque cursor. @internal */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; `arity` parts expected. @internal */
export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parts) &&
      parts.length === arity &&
      parts.every((p) => typeof p === 'string' || typeof p === 'number')
    ) {
      return parts as (string | number)[];
    }
  } catch {
    // fall through
  }
  throw new InvalidArgumentError(
    'This listing cursor is not valid; pass the `nextCursor` of a previous page.',
  );
}

/**
 * Decodes a due-retries cursor (`[nextAttemptAt, serial]`), checking both parts, so that a
 * forged or corrupted cursor is an `InvalidArgumentError` on every adapter. @internal
 */
export function decodeRetryCursor(cursor: string): [string, string] {
  const [at, serial] = decodeCursor(cursor, 2);
  if (
    typeof at !== 'string' ||
    typeof serial !== 'string' ||
    !Number.isFinite(Date.parse(at)) ||
    new Date(Date.parse(at)).toISOString() !== at
  ) {
    throw new InvalidArgumentError(
      'This listing cursor is not valid; pass the `nextCursor` of a previous page.',
    );
  }
  return [at, serial];
}
