import { type FileHandle, open, readFile } from 'node:fs/promises';
import { StorageError } from '../../errors/index.js';
import type { Change, MemoryState, StateImage } from '../memory/state.js';
import { writeAll, writeAtomic } from './atomic-write.js';
import { readLines } from './line-reader.js';

/**
 * The snapshot file (`state.json`) is one JSON document, format version 1:
 * `{"format":"abmkit-file-storage","version":1,"seq":N,"image":{"tokens":[…],…}}`.
 *
 * Since the streaming writer it is laid out one record per line, with a `"layout":"lines"` marker
 * in the first line (an extra key older readers ignore):
 *
 * ```
 * {"format":"abmkit-file-storage","version":1,"seq":N,"layout":"lines","image":{
 * "tokens":[
 * {…},
 * {…}
 * ],
 * …
 * "runs":[
 * ]}}
 * ```
 *
 * It is still one valid JSON document of the same shape, so an older abmkit opens it; and this
 * version streams it in both directions (one record at a time) instead of holding the whole store
 * as one string. A snapshot without the marker (written by an older version on one line) is read
 * with one `JSON.parse`, once: the next compaction rewrites it in the new layout.
 * @internal
 */
const FORMAT = 'abmkit-file-storage';
const HEADER =
  /^\{"format":"abmkit-file-storage","version":1,"seq":(\d+),"layout":"lines","image":\{$/;
const FLUSH_AT = 1024 * 1024;

type Section = keyof StateImage;
const SECTIONS: readonly Section[] = [
  'tokens',
  'sessions',
  'leases',
  'cursors',
  'policies',
  'devices',
  'retries',
  'runs',
];

/** The change that loads one record of a section (the same as `MemoryState.load`). */
function toChange(section: Section, v: never): Change {
  switch (section) {
    case 'tokens':
      return { op: 'token', value: v };
    case 'sessions':
      return { op: 'session', tokenId: (v as { tokenId: string }).tokenId, value: v };
    case 'leases': {
      const [tokenId, value] = v as StateImage['leases'][number];
      return { op: 'lease', tokenId, value };
    }
    case 'cursors':
      return { op: 'cursor', tokenId: (v as { tokenId: string }).tokenId, value: v };
    case 'policies':
      return { op: 'policy', value: v };
    case 'devices':
      return { op: 'device', value: v };
    case 'retries':
      return { op: 'retry', value: v };
    case 'runs':
      return { op: 'run', value: v };
  }
}

/** Every record of a section, straight from the live maps (no copy of the state). */
function* records(state: MemoryState, section: Section): Generator<unknown> {
  const nested = <V>(m: Map<string, Map<string, V>>) =>
    (function* () {
      for (const inner of m.values()) yield* inner.values();
    })();
  switch (section) {
    case 'tokens':
      return yield* state.tokens.values();
    case 'sessions':
      return yield* state.sessions.values();
    case 'leases':
      return yield* state.leases.entries();
    case 'cursors':
      return yield* state.cursors.values();
    case 'policies':
      return yield* state.policies.values();
    case 'devices':
      return yield* nested(state.devices);
    case 'retries':
      return yield* nested(state.retries);
    case 'runs':
      return yield* nested(state.runs);
  }
}

/** Buffers text and writes it in ~1 MiB pieces. */
class ChunkedWriter {
  #parts: string[] = [];
  #size = 0;
  constructor(private readonly fh: FileHandle) {}
  async push(text: string): Promise<void> {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= FLUSH_AT) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const data = Buffer.from(this.#parts.join(''), 'utf8');
    this.#parts = [];
    this.#size = 0;
    await writeAll(this.fh, data);
  }
}

/**
 * Writes the snapshot of `state` at journal sequence `seq` crash-safely (temp file 0600, fsync,
 * rename, fsync of the directory), one record at a time: memory use is one ~1 MiB buffer, not
 * the size of the store. The caller must keep `state` unchanged until this resolves. @internal
 */
export function writeSnapshot(file: string, seq: number, state: MemoryState): Promise<void> {
  return writeAtomic(file, async (fh) => {
    const out = new ChunkedWriter(fh);
    await out.push(
      `{"format":"${FORMAT}","version":1,"seq":${JSON.stringify(seq)},"layout":"lines","image":{\n`,
    );
    for (const [i, section] of SECTIONS.entries()) {
      await out.push(`"${section}":[\n`);
      let first = true;
      for (const record of records(state, section)) {
        await out.push(first ? JSON.stringify(record) : `,\n${JSON.stringify(record)}`);
        first = false;
      }
      await out.push(first ? '' : '\n');
      await out.push(i === SECTIONS.length - 1 ? ']}}\n' : '],\n');
    }
    await out.flush();
  });
}

function notOurs(file: string, why: string, cause?: unknown): StorageError {
  return new StorageError(
    `${file} is not a readable abmkit FileStorage snapshot (${why}). Restore it from a backup or move it away to start empty.`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * Loads the snapshot at `file` into `state` and returns its journal sequence, or `null` when
 * there is no snapshot. Streams the line layout; reads an older one-line snapshot whole. @internal
 */
export async function readSnapshot(file: string, state: MemoryState): Promise<number | null> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    // Peek at the first line: the marker of the line layout, or an older one-line snapshot.
    const peek = Buffer.alloc(256);
    const { bytesRead } = await fh.read(peek, 0, peek.length, 0);
    const nl = peek.subarray(0, bytesRead).indexOf(0x0a);
    const header = nl === -1 ? null : HEADER.exec(peek.subarray(0, nl).toString('utf8'));
    if (header === null) return await readWhole(file, state);
    const lines = readLines(fh);
    await lines.next();
    let section: Section | null = null;
    let ended = false;
    for await (const { bytes } of lines) {
      if (ended) throw notOurs(file, 'data after the end');
      const line = bytes.toString('utf8');
      if (section === null) {
        const name = /^"(\w+)":\[$/.exec(line)?.[1];
        if (name === undefined || !SECTIONS.includes(name as Section)) {
          throw notOurs(file, 'unknown section');
        }
        section = name as Section;
      } else if (line === '],') {
        section = null;
      } else if (line === ']}}') {
        ended = true;
      } else {
        const json = line.endsWith(',') ? line.slice(0, -1) : line;
        let value: never;
        try {
          value = JSON.parse(json) as never;
        } catch (err) {
          throw notOurs(file, 'a record is not JSON', err);
        }
        state.apply([toChange(section, value)]);
      }
    }
    if (!ended) throw notOurs(file, 'it ends early');
    return Number(header[1]);
  } finally {
    await fh.close();
  }
}

/** A snapshot written by an older version (one line): parsed whole, once. */
async function readWhole(file: string, state: MemoryState): Promise<number> {
  let parsed: { format?: unknown; version?: unknown; seq?: unknown; image?: StateImage };
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw notOurs(file, 'not JSON', err);
  }
  if (parsed.format !== FORMAT || parsed.version !== 1 || parsed.image === undefined) {
    throw notOurs(file, 'unknown format');
  }
  state.load(parsed.image);
  return Number(parsed.seq);
}
