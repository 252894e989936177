import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1024 * 1024;

/** One complete line of a file and the byte offset just past its newline. @internal */
export interface FileLine {
  /** The line's bytes, without the newline. */
  bytes: Buffer;
  /** Offset in the file of the byte after this line's `\n`. */
  end: number;
}

/**
 * Reads a file line by line (`\n`-terminated) in 1 MiB chunks, so that only one chunk and the
 * current line are in memory at a time whatever the file's size. A last line without its newline
 * (a torn append) is not yielded: the `end` of the last line yielded is where the complete data
 * stops. @internal
 */
export async function* readLines(fh: FileHandle): AsyncGenerator<FileLine> {
  let position = 0;
  let pending: Buffer[] = [];
  for (;;) {
    const buf = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await fh.read(buf, 0, CHUNK, position);
    if (bytesRead === 0) return;
    const chunk = buf.subarray(0, bytesRead);
    const start = position;
    position += bytesRead;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl === -1) break;
      const tail = chunk.subarray(from, nl);
      const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
      pending = [];
      from = nl + 1;
      yield { bytes, end: start + from };
    }
    if (from < bytesRead) pending.push(chunk.subarray(from, bytesRead));
  }
}
