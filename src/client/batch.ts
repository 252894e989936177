import { InvalidArgumentError } from '../errors/index.js';

/** Apple's documented maximum of serials per request. */
export const MAX_SERIALS_PER_REQUEST = 1000;

/**
 * Checks a serial list and removes duplicates (first occurrence wins, order kept).
 * @internal
 */
export function normaliseSerials(serials: readonly string[], operation: string): string[] {
  if (!Array.isArray(serials)) {
    throw new InvalidArgumentError(`${operation} needs an array of serial numbers.`);
  }
  const seen = new Set<string>();
  const out: string[] = [];
  serials.forEach((serial, index) => {
    if (typeof serial !== 'string' || serial.trim() === '') {
      throw new InvalidArgumentError(
        `${operation}: serial number at index ${index} is not a non-empty string.`,
        { issues: [{ path: [index], message: 'expected a non-empty serial number string' }] },
      );
    }
    if (!seen.has(serial)) {
      seen.add(serial);
      out.push(serial);
    }
  });
  return out;
}

/** Splits `items` into chunks of at most `size`. @internal */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs `fn` over `chunks` with at most `concurrency` in flight, returning results in chunk order.
 * On the first failure no new chunk starts; the call rejects with that error once the chunks in
 * flight have settled.
 * @internal
 */
export async function mapChunks<T, R>(
  chunks: readonly T[],
  concurrency: number,
  fn: (chunk: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(chunks.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < chunks.length) {
      const index = next++;
      try {
        results[index] = await fn(chunks[index] as T, index);
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
  };
  const workers = Math.max(1, Math.min(concurrency, chunks.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failed) throw firstError;
  return results;
}

/**
 * Merges per-chunk `{serial: value}` maps and lists the serials no map mentioned.
 * @internal
 */
export function mergeSerialMaps<S>(
  sent: readonly string[],
  maps: readonly (Record<string, S> | null | undefined)[],
): { devices: Record<string, S>; missing: string[] } {
  const devices: Record<string, S> = {};
  for (const map of maps) if (map) Object.assign(devices, map);
  const missing = sent.filter((serial) => !Object.hasOwn(devices, serial));
  return { devices, missing };
}
