import { MAX_MACHINE_INFO_BASE64 } from './limits.js';

/** Reads a request body up to `limit` bytes; `undefined` when larger. @internal */
export async function readBodyLimited(
  request: Request,
  limit = MAX_MACHINE_INFO_BASE64,
): Promise<Uint8Array | undefined> {
  if (request.body === null) return new Uint8Array(0);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await request.body.cancel().catch(() => undefined);
    return undefined;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
