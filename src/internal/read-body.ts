/**
 * Reads response bodies as streams, bounded in size and interrupted by the request's signal
 * (per-attempt timeout, call deadline, caller abort, manager stop), whatever the peer does.
 * Shared by the ADE transport (`src/client/`) and the Business API client (`src/api/`).
 * @internal
 */

/** Thrown by {@link readCapped} when a body passes the cap; each caller maps it. @internal */
export class BodyTooLarge extends Error {
  constructor(
    readonly limitBytes: number,
    readonly announced: boolean,
  ) {
    super(`response body larger than ${limitBytes} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** One `reader.read()` that rejects with the signal's reason as soon as the signal aborts. */
function readOrAbort(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal | undefined,
): ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> {
  if (signal === undefined) return reader.read();
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Reads the whole body, or throws {@link BodyTooLarge} once it (or its `Content-Length`) passes
 * `maxBytes`; the rest is never downloaded. An aborted `signal` rejects the read at once with
 * the signal's reason (a body that trickles cannot outlive the timeout or the deadline).
 * @internal
 */
export async function readCapped(
  response: Response,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  // TextDecoder, like Response.text(): drops a leading UTF-8 BOM.
  return new TextDecoder().decode(await readCappedBytes(response, maxBytes, signal));
}

/**
 * {@link readCapped} without the decoding: the body's bytes.
 * @internal
 */
export async function readCappedBytes(
  response: Response,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(announced) && announced > maxBytes) {
    response.body?.cancel().catch(() => {});
    throw new BodyTooLarge(maxBytes, true);
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await readOrAbort(reader, signal);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new BodyTooLarge(maxBytes, false);
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
  return Buffer.concat(chunks, size);
}

/**
 * Reads at most `maxBytes` of an error body (the rest is dropped and the stream cancelled). A
 * broken body yields what arrived; an aborted `signal` rejects with its reason.
 * @internal
 */
export async function readTruncated(
  response: Response,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await readOrAbort(reader, signal);
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    // a broken error body is not worth failing over: keep what arrived
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}
