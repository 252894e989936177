/**
 * Row-by-row bookkeeping of the serial CSV import: header, blank lines, validity, duplicates.
 *
 * @internal
 * @module
 */
import { normaliseSerial, serialProblem } from './serial.js';

/** One valid row of a serial CSV. */
export interface SerialCsvRow {
  /** 1-based line number where the row starts. */
  line: number;
  /** The normalised serial number (upper case, no whitespace). */
  serial: string;
  /** The row's other columns, trimmed, in order (the serial column removed). */
  extra: readonly string[];
}

/** A serial number that appears on more than one row. */
export interface SerialCsvDuplicate {
  /** The normalised serial number. */
  serial: string;
  /** Every 1-based line it appears on, the first occurrence included, ascending. */
  lines: number[];
}

/** A row whose serial cell is not a valid serial number (or that could not be parsed). */
export interface SerialCsvInvalidRow {
  /** 1-based line number where the row starts. */
  line: number;
  /** The cell as written (trimmed, at most 100 characters). */
  value: string;
  /** What is wrong with it. */
  reason: string;
}

/** The result of {@link parseSerialCsv}. */
export interface SerialCsvResult {
  /** Unique valid serials, normalised, in order of first appearance. */
  serials: string[];
  /** Serials that appear more than once (each is also in `serials`, once). */
  duplicates: SerialCsvDuplicate[];
  /** Rows that were skipped, with the reason. */
  invalid: SerialCsvInvalidRow[];
  /**
   * Every valid row, duplicates included, with its extra columns (e.g. a profile or group
   * column). Empty when the `rows` option is `false`.
   */
  rows: SerialCsvRow[];
  /** The header row's cells when the file has one, else `null`. */
  header: string[] | null;
}

const HEADER_NAMES = new Set([
  'serial',
  'serials',
  'serialnumber',
  'serialnumbers',
  'serialno',
  'serialnum',
  'sn',
  'deviceserial',
  'deviceserialnumber',
  'devicesn',
]);
const NO_EXTRA: readonly string[] = Object.freeze([]);
const MAX_VALUE = 100;

/** Trim a cell and drop one pair of surrounding quotes left by lenient quote handling. */
function clean(cell: string | undefined): string {
  const t = (cell ?? '').trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

function isHeaderCell(cell: string): boolean {
  return HEADER_NAMES.has(cell.toLowerCase().replace(/[^a-z]/g, ''));
}

/** Line breaks in a record's raw text: CRLF, LF and CR each count once. */
function lineBreaks(raw: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 10 || (c === 13 && raw.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

function skipReason(code: string | undefined, endLine: number): string {
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return `a quoted field opened on this line is never closed, so the rest of the file (to line ${endLine}) could not be read`;
  }
  return `the row could not be parsed as CSV (${code ?? 'unknown error'})`;
}

/**
 * Where a streaming read sends each row instead of collecting it (no lists, no de-duplication).
 *
 * @internal
 */
export interface SerialCsvSink {
  /** A valid, normalised serial and its 1-based line. */
  serial(serial: string, line: number): void;
  /** A row that is not a serial number, or that could not be parsed. */
  invalid(row: SerialCsvInvalidRow): void;
}

/** @internal Accumulates the result while records stream in. */
export class SerialCsvCollector {
  private readonly serials: string[] = [];
  private readonly firstLine = new Map<string, number>();
  private readonly dupes = new Map<string, number[]>();
  private readonly invalid: SerialCsvInvalidRow[] = [];
  private readonly rows: SerialCsvRow[] = [];
  private header: string[] | null = null;
  private headerPending: boolean;
  private serialColumn = 0;
  /** 1-based line where the next record starts. */
  private line = 1;
  /** Records consumed so far. */
  private records = 0;
  /** Skipped records wait here until the records before them have been consumed. */
  private readonly pendingSkips: { code: string | undefined; records: number; raw: string }[] = [];

  /** `sink` set: rows go to it as they come and nothing is kept (see {@link SerialCsvSink}). */
  constructor(
    private readonly headerMode: 'auto' | boolean,
    private readonly keepRows: boolean,
    private readonly sink?: SerialCsvSink,
  ) {
    this.headerPending = headerMode !== false;
  }

  /** One parsed record and its raw text (from which line numbers are counted). */
  add(fields: readonly string[], raw: string): void {
    if (this.pendingSkips.length > 0) this.flushSkips(this.records);
    this.records++;
    const line = this.line;
    this.line += lineBreaks(raw);
    const first = clean(fields[0]);
    if (first === '' && fields.every((f) => clean(f) === '')) return;
    if (this.headerPending) {
      this.headerPending = false;
      const cells = fields.map(clean);
      const column = cells.findIndex(isHeaderCell);
      if (this.headerMode === true || column >= 0) {
        this.header = cells;
        this.serialColumn = Math.max(column, 0);
        return;
      }
    }
    const value = this.serialColumn === 0 ? first : clean(fields[this.serialColumn]);
    const serial = normaliseSerial(value);
    const problem = serialProblem(serial);
    if (problem !== undefined) {
      this.pushInvalid({ line, value: value.slice(0, MAX_VALUE), reason: problem });
      return;
    }
    if (this.sink !== undefined) {
      this.sink.serial(serial, line);
      return;
    }
    if (this.keepRows) this.rows.push({ line, serial, extra: this.extra(fields) });
    const seenAt = this.firstLine.get(serial);
    if (seenAt === undefined) {
      this.firstLine.set(serial, line);
      this.serials.push(serial);
      return;
    }
    const lines = this.dupes.get(serial);
    if (lines === undefined) this.dupes.set(serial, [seenAt, line]);
    else lines.push(line);
  }

  /**
   * A record csv-parse could not read (a quote that is never closed). csv-parse reports it
   * before the records preceding it are consumed, so it waits until `records` have been.
   */
  skip(code: string | undefined, records: number, raw: string): void {
    this.pendingSkips.push({ code, records, raw });
  }

  private flushSkips(consumed: number): void {
    while (this.pendingSkips.length > 0 && this.pendingSkips[0]!.records <= consumed) {
      const { code, raw } = this.pendingSkips.shift()!;
      const breaks = lineBreaks(raw);
      this.pushInvalid({
        line: this.line,
        value: '',
        reason: skipReason(code, this.line + Math.max(breaks - 1, 0)),
      });
      this.line += breaks;
    }
  }

  private pushInvalid(row: SerialCsvInvalidRow): void {
    if (this.sink !== undefined) this.sink.invalid(row);
    else this.invalid.push(row);
  }

  /** Skipped records still waiting are reported (call once the input has ended). */
  finish(): void {
    this.flushSkips(Number.POSITIVE_INFINITY);
  }

  /** The line where the next record would start; for error messages. */
  get nextLine(): number {
    return this.line;
  }

  private extra(fields: readonly string[]): readonly string[] {
    if (fields.length < 2) return NO_EXTRA;
    const out: string[] = [];
    for (let i = 0; i < fields.length; i++) if (i !== this.serialColumn) out.push(clean(fields[i]));
    return out;
  }

  /** The final result. */
  result(): SerialCsvResult {
    this.finish();
    return {
      serials: this.serials,
      duplicates: [...this.dupes].map(([serial, lines]) => ({ serial, lines })),
      invalid: this.invalid,
      rows: this.rows,
      header: this.header,
    };
  }
}
