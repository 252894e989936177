import { ResponseValidationError } from '../errors/index.js';
import { BodyTooLarge, readCappedBytes, readTruncated } from '../internal/read-body.js';

/**
 * Reads a response body as UTF-8, refusing (not truncating) anything larger than `max` bytes when
 * `strict`, or cutting it at `max` otherwise (error bodies). The reading itself is the shared
 * bounded reader of `src/internal/read-body.ts`; only the error is the API client's own.
 * @internal
 */
export async function readBounded(
  response: Response,
  max: number,
  strict: { operation: string; method: string; path: string } | undefined,
): Promise<string> {
  if (!strict) return readTruncated(response, max, undefined);
  try {
    // Buffer decoding (not TextDecoder): a leading BOM stays, as it always did here.
    return (await readCappedBytes(response, max, undefined)).toString('utf8');
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    throw new ResponseValidationError(
      `Apple's answer to ${strict.operation} (${strict.method} ${strict.path}) is larger than ${max} bytes; abmkit refuses it. Request smaller pages (limit) or raise maxResponseBytes.`,
      { ...strict, attempts: 1 },
    );
  }
}
