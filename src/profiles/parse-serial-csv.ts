import { once } from 'node:events';
import type { parse as Parse } from 'csv-parse';
import { CsvError, isAbmError } from '../errors/index.js';
import { CSV_DELIMITERS, sniffDelimiter } from './csv-delimiter.js';
import { type SerialCsvInput, textChunks } from './csv-input.js';
import {
  SerialCsvCollector,
  type SerialCsvResult,
  type SerialCsvSink,
} from './serial-csv-collector.js';

/** Options of {@link parseSerialCsv}. */
export interface ParseSerialCsvOptions {
  /**
   * Whether the first non-blank row is a header. `'auto'` treats it as one when a cell reads like
   * a serial-number column name (`serial`, `Serial Number`, `serial_number`, `SN`, …); that
   * column then holds the serials, otherwise the first column does.
   * @default 'auto'
   */
  header?: 'auto' | boolean;
  /**
   * Keep every valid row with its extra columns in `rows`. Turn off for large plain lists to save
   * memory.
   * @default true
   */
  rows?: boolean;
}

interface ParsedRecord {
  record: string[];
  raw: string;
}

/** Longest row accepted, in characters; a longer one means the input is not a serial CSV. */
const MAX_RECORD_SIZE = 64 * 1024;

/**
 * Read a CSV of serial numbers (one per row) for a bulk device-level assignment, streaming:
 * a 1,000,000-row file is never held in memory, only the result.
 *
 * Accepts a header or none, extra columns (returned per row in `rows`), a UTF-8 BOM (and UTF-16
 * with a BOM), CRLF/LF/CR line ends, blank lines, surrounding whitespace and quotes, and `,`,
 * `;` or tab as the delimiter. Serials are normalised (whitespace removed, upper case) and must
 * be 8 to 14 letters A–Z or digits. Invalid rows and duplicates are reported with their 1-based
 * line numbers instead of failing the file.
 *
 * @param input - text, bytes, a web `ReadableStream`, or an async iterable of chunks (a Node
 *   `Readable` such as `fs.createReadStream(path)` is one).
 * @param options - see {@link ParseSerialCsvOptions}.
 * @throws {@link CsvError} only when the input cannot be read at all (not a supported input
 *   type, a chunk that is neither text nor bytes, or the stream fails, a row longer than 64 KiB).
 *   A quote that is never closed is reported in `invalid`.
 *
 * @example
 * ```ts
 * const { serials, duplicates, invalid } = await parseSerialCsv(fs.createReadStream('serials.csv'));
 * ```
 */
export async function parseSerialCsv(
  input: SerialCsvInput,
  options: ParseSerialCsvOptions = {},
): Promise<SerialCsvResult> {
  const collector = new SerialCsvCollector(options?.header ?? 'auto', options?.rows ?? true);
  await readInto(input, collector);
  return collector.result();
}

/**
 * Read a serial CSV as {@link parseSerialCsv} does (header `'auto'`), but keep nothing: each
 * valid serial (not de-duplicated) and each invalid row goes to `sink` as it is parsed, and
 * `afterChunk` is awaited after each text chunk (at most 64 KiB) so the caller can drain what
 * the sink received and hold the input back. Errors thrown by `afterChunk` pass through as is.
 *
 * @internal
 */
export async function streamSerialCsv(
  input: SerialCsvInput,
  sink: SerialCsvSink,
  afterChunk: () => Promise<void>,
): Promise<void> {
  const collector = new SerialCsvCollector('auto', false, sink);
  await readInto(input, collector, afterChunk);
  collector.finish();
}

/** csv-parse, imported on the first CSV rather than with the package. */
let csv: Promise<typeof import('csv-parse')> | undefined;

async function readInto(
  input: SerialCsvInput,
  collector: SerialCsvCollector,
  afterChunk?: () => Promise<void>,
): Promise<void> {
  csv ??= import('csv-parse');
  const { parse } = await csv;
  let downstream = false;
  const after = async (): Promise<void> => {
    if (afterChunk === undefined) return;
    try {
      await afterChunk();
    } catch (error) {
      downstream = true;
      throw error;
    }
  };
  let parser: ReturnType<typeof Parse> | undefined;
  let ended: Promise<void> | undefined;
  let head = '';
  const start = (delimiter: string | readonly string[]): ReturnType<typeof Parse> => {
    const created = createParser(parse, collector, delimiter);
    ended = new Promise<void>((resolve, reject) => {
      created.on('end', resolve);
      created.on('error', reject);
    });
    ended.catch(() => undefined);
    return created;
  };
  try {
    for await (const chunk of textChunks(input)) {
      if (parser === undefined) {
        // Hold text back until the first non-blank row is complete: it decides the delimiter.
        // Only a chunk with a line break (or an over-long head) can complete it.
        head += chunk;
        const long = head.length > MAX_RECORD_SIZE;
        if (!long && !/[\r\n]/.test(chunk)) continue;
        const delimiter = sniffDelimiter(head, long);
        if (delimiter === undefined) continue;
        parser = start(delimiter);
        await write(parser, head);
        head = '';
      } else {
        if (parser.destroyed) break;
        await write(parser, chunk);
      }
      await after();
    }
    if (parser === undefined) {
      parser = start(sniffDelimiter(head, true) ?? CSV_DELIMITERS);
      await write(parser, head);
    }
    if (!parser.destroyed) parser.end();
    await ended;
  } catch (error) {
    parser?.destroy();
    if (downstream || isAbmError(error)) throw error;
    throw new CsvError(
      `The serial CSV could not be read (stopped near line ${collector.nextLine}): ${describe(error)}. Check that the file is a text CSV with one serial number per row.`,
      { cause: error, line: collector.nextLine },
    );
  }
}

async function write(parser: ReturnType<typeof Parse>, text: string): Promise<void> {
  if (parser.destroyed || text.length === 0) return;
  if (!parser.write(text)) await once(parser, 'drain');
}

function createParser(
  parse: typeof Parse,
  collector: SerialCsvCollector,
  delimiter: string | readonly string[],
): ReturnType<typeof Parse> {
  const parser = parse({
    bom: true,
    ltrim: true,
    relax_quotes: true,
    relax_column_count: true,
    delimiter: typeof delimiter === 'string' ? delimiter : [...delimiter],
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_SIZE,
    raw: true,
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      if (error?.code === 'CSV_MAX_RECORD_SIZE') {
        parser.destroy(
          new CsvError(
            `The serial CSV could not be read: a row is longer than ${MAX_RECORD_SIZE} characters, so this is not a list of serial numbers. Check that the file is a text CSV with one serial number per row.`,
          ),
        );
      } else {
        skipped(collector, error, raw);
      }
      return undefined;
    },
  });
  // Records are consumed synchronously as each chunk is written (no per-record promise), so at
  // most one chunk's records exist at a time.
  parser.on('data', (parsed: ParsedRecord) => collector.add(parsed.record, parsed.raw));
  return parser;
}

function skipped(
  collector: SerialCsvCollector,
  error: { code?: string; records?: unknown } | undefined,
  raw: string | undefined,
): void {
  const records = typeof error?.records === 'number' ? error.records : Number.POSITIVE_INFINITY;
  collector.skip(error?.code, records, raw ?? '');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
