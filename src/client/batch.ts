import { AbmError, attachPartialResult } from '../errors/abm-error.js';
import { InvalidArgumentError } from '../errors/index.js';

/**
 * Apple's documented maximum of serials per request (assign-profile, remove-profile, device
 * details, disown, the `devices` of define-profile). The one constant for this limit: the
 * client's chunking, `planAssignments` and the manager's assignment batches all use it.
 */
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

/** How {@link runChunks} ended. @internal */
interface ChunkRun<R> {
  /** Results in chunk order; only the indexes in `succeeded` are set. */
  results: R[];
  /** Indexes of the chunks that resolved. */
  succeeded: Set<number>;
  failed: boolean;
  firstError: unknown;
}

/**
 * Runs `fn` over `chunks` with at most `concurrency` in flight. On the first failure no new chunk
 * starts; returns once the chunks in flight have settled.
 */
async function runChunks<T, R>(
  chunks: readonly T[],
  concurrency: number,
  fn: (chunk: T, index: number) => Promise<R>,
): Promise<ChunkRun<R>> {
  const run: ChunkRun<R> = {
    results: new Array(chunks.length),
    succeeded: new Set(),
    failed: false,
    firstError: undefined,
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!run.failed && next < chunks.length) {
      const index = next++;
      try {
        run.results[index] = await fn(chunks[index] as T, index);
        run.succeeded.add(index);
      } catch (error) {
        if (!run.failed) run.firstError = error;
        run.failed = true;
      }
    }
  };
  const workers = Math.max(1, Math.min(concurrency, chunks.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return run;
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
  const run = await runChunks(chunks, concurrency, fn);
  if (run.failed) throw run.firstError;
  return run.results;
}

/**
 * Sends `serials` in chunks of {@link MAX_SERIALS_PER_REQUEST} with at most `concurrency` in
 * flight and returns the answers in chunk order. If a chunk fails after at least one other chunk
 * succeeded, the (abmkit) error is rethrown carrying `partialResult`: the merged `devices` maps of
 * the chunks that succeeded, and as `pending` every serial of the chunks that failed or were never
 * sent. A single-chunk call, or one where no chunk succeeded, rethrows the error unchanged.
 * @internal
 */
export async function mapSerialChunks<R>(
  serials: readonly string[],
  concurrency: number,
  send: (chunk: string[]) => Promise<R>,
  devicesOf: (answer: R) => Record<string, unknown> | null | undefined,
): Promise<R[]> {
  const chunks = chunk(serials, MAX_SERIALS_PER_REQUEST);
  const run = await runChunks(chunks, concurrency, (part) => send(part));
  if (!run.failed) return run.results;
  const error = run.firstError;
  if (chunks.length > 1 && run.succeeded.size > 0 && error instanceof AbmError) {
    const devices: Record<string, unknown> = {};
    const pending: string[] = [];
    chunks.forEach((part, index) => {
      if (run.succeeded.has(index)) {
        const map = devicesOf(run.results[index] as R);
        if (map) Object.assign(devices, map);
      } else {
        pending.push(...part);
      }
    });
    attachPartialResult(error, { devices, pending });
  }
  throw error;
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
