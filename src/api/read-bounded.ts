import { ResponseValidationError } from '../errors/index.js';

/**
 * Reads a response body as UTF-8, refusing (not truncating) anything larger than `max` bytes when
 * `strict`, or cutting it at `max` otherwise (error bodies).
 * @internal
 */
export async function readBounded(
  response: Response,
  max: number,
  strict: { operation: string; method: string; path: string } | undefined,
): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > max) {
        if (strict) {
          throw new ResponseValidationError(
            `Apple's answer to ${strict.operation} (${strict.method} ${strict.path}) is larger than ${max} bytes; abmkit refuses it. Request smaller pages (limit) or raise maxResponseBytes.`,
            { ...strict, attempts: 1 },
          );
        }
        break;
      }
    }
  } catch (error) {
    if (strict) throw error;
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
