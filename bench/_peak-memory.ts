/**
 * Peak memory of one async call, for benches run with `--expose-gc`: every `intervalMs` the
 * sampler forces a full collection and reads `process.memoryUsage()`, so `live` is what the call
 * really holds (heap plus `ArrayBuffer`s, garbage excluded) rather than how far V8 let garbage
 * pile up. RSS is sampled too (its growth above the start, and its absolute peak). The forced
 * collections slow the call down: time it in separate runs.
 */

/** Peak memory above the start of the call, in MiB. */
export interface PeakMemory<T> {
  value: T;
  ms: number;
  /** Peak of heapUsed + arrayBuffers after a forced GC, above the start. */
  liveMb: number;
  /** Peak RSS above the start. */
  rssMb: number;
  /** Peak RSS, absolute. */
  rssPeakMb: number;
}

const MB = 2 ** 20;

export async function peakMemory<T>(fn: () => Promise<T>, intervalMs = 50): Promise<PeakMemory<T>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  const start = process.memoryUsage();
  const live0 = start.heapUsed + start.arrayBuffers;
  let live = live0;
  let rss = start.rss;
  const sample = (): void => {
    gc();
    const m = process.memoryUsage();
    live = Math.max(live, m.heapUsed + m.arrayBuffers);
    rss = Math.max(rss, m.rss);
  };
  const timer = setInterval(sample, intervalMs);
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    sample(); // the result itself (e.g. a report's lists) counts
    return {
      value,
      ms,
      liveMb: (live - live0) / MB,
      rssMb: (rss - start.rss) / MB,
      rssPeakMb: rss / MB,
    };
  } finally {
    clearInterval(timer);
  }
}
