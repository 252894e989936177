/**
 * Turn any accepted CSV input into a stream of text chunks, decoding bytes incrementally
 * (UTF-8 by default; UTF-16 when the bytes start with a UTF-16 byte-order mark).
 *
 * @internal
 * @module
 */
import { TextDecoder } from 'node:util';
import { CsvError } from '../errors/index.js';

/** What {@link parseSerialCsv} reads: text, bytes, a web stream or any async iterable of chunks. */
export type SerialCsvInput =
  | string
  | Uint8Array
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>;

const STRING_SLICE = 64 * 1024;

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array | string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getReader?: unknown }).getReader === 'function'
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

async function* fromReader(
  stream: ReadableStream<Uint8Array | string>,
): AsyncGenerator<Uint8Array | string> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function* rawChunks(input: SerialCsvInput): AsyncGenerator<Uint8Array | string> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    yield input;
  } else if (isReadableStream(input)) {
    yield* fromReader(input);
  } else if (isAsyncIterable(input)) {
    yield* input;
  } else {
    throw new CsvError(
      'parseSerialCsv: input must be a string, a Uint8Array, a ReadableStream or an async iterable of chunks',
    );
  }
}

function encodingOf(first: Uint8Array): string {
  if (first[0] === 0xff && first[1] === 0xfe) return 'utf-16le';
  if (first[0] === 0xfe && first[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/** Cut `text` into slices of at most 64 KiB, never between the halves of a surrogate pair. */
function* slices(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + STRING_SLICE, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(start, end);
    start = end;
  }
}

/**
 * Text chunks of at most 64 KiB characters, decoded incrementally; a multi-byte character split
 * across chunks is decoded correctly. Invalid bytes become U+FFFD (the row is then reported as
 * invalid rather than the whole file rejected).
 *
 * @internal
 */
export async function* textChunks(input: SerialCsvInput): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  // Bytes held back until two are known: the byte-order mark may be split across chunks.
  let head: Uint8Array | undefined;
  for await (const chunk of rawChunks(input)) {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else if (chunk instanceof Uint8Array) {
      let bytes = chunk;
      if (decoder === undefined) {
        bytes = head === undefined ? chunk : new Uint8Array(Buffer.concat([head, chunk]));
        if (bytes.byteLength < 2) {
          head = bytes;
          continue;
        }
        head = undefined;
        decoder = new TextDecoder(encodingOf(bytes));
      }
      text = decoder.decode(bytes, { stream: true });
    } else {
      throw new CsvError('parseSerialCsv: every chunk must be a string or a Uint8Array');
    }
    yield* slices(text);
  }
  if (head !== undefined) decoder = new TextDecoder(encodingOf(head));
  const rest = decoder?.decode(head) ?? '';
  if (rest.length > 0) yield rest;
}
