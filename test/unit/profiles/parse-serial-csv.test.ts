import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvError, isAbmError, parseSerialCsv } from '../../../src/index.js';

const enc = (text: string) => new TextEncoder().encode(text);

describe('parseSerialCsv', () => {
  it('reads one serial per row without a header, normalising case and whitespace', async () => {
    const result = await parseSerialCsv('c02xl0abjg5h\n  DMPXL0ABJG5H  \nF9F XL0A BJG5H\n');
    expect(result).toEqual({
      serials: ['C02XL0ABJG5H', 'DMPXL0ABJG5H', 'F9FXL0ABJG5H'],
      duplicates: [],
      invalid: [],
      rows: [
        { line: 1, serial: 'C02XL0ABJG5H', extra: [] },
        { line: 2, serial: 'DMPXL0ABJG5H', extra: [] },
        { line: 3, serial: 'F9FXL0ABJG5H', extra: [] },
      ],
      header: null,
    });
  });

  it.each(['serial', 'Serial Number', 'serial_number', 'SERIAL NO.', 'SN', 'Device Serial Number'])(
    'detects a %j header and keeps its cells',
    async (title) => {
      const result = await parseSerialCsv(`${title},Profile\nC02XL0ABJG5H,Sales\n`);
      expect(result.header).toEqual([title, 'Profile']);
      expect(result.serials).toEqual(['C02XL0ABJG5H']);
      expect(result.rows).toEqual([{ line: 2, serial: 'C02XL0ABJG5H', extra: ['Sales'] }]);
    },
  );

  it('uses the header column that holds serials, wherever it is', async () => {
    const result = await parseSerialCsv('Group,Serial Number,Note\nSales,c02xl0abjg5h,"a, b"\n');
    expect(result.rows).toEqual([{ line: 2, serial: 'C02XL0ABJG5H', extra: ['Sales', 'a, b'] }]);
  });

  it('can force or disable header handling', async () => {
    const forced = await parseSerialCsv('Geräte\nC02XL0ABJG5H\n', { header: true });
    expect(forced.header).toEqual(['Geräte']);
    expect(forced.invalid).toEqual([]);
    const off = await parseSerialCsv('serial\nC02XL0ABJG5H\n', { header: false });
    expect(off.header).toBeNull();
    expect(off.invalid).toEqual([
      {
        line: 1,
        value: 'serial',
        reason: 'too short: serial numbers have 8 to 14 characters, got 6',
      },
    ]);
  });

  it('handles a UTF-8 BOM, CRLF, CR, blank lines, quotes and surrounding whitespace', async () => {
    const text =
      '\uFEFFSerial\r\n\r\n  "c02xl0abjg5h"  \r\n\t\r\n"DMPXL0ABJG5H",  "Sales"\rF9FXL0ABJG5H;IT\r\n,,\r\n';
    const result = await parseSerialCsv(text);
    expect(result.header).toEqual(['Serial']);
    expect(result.invalid).toEqual([]);
    expect(result.rows).toEqual([
      { line: 3, serial: 'C02XL0ABJG5H', extra: [] },
      { line: 5, serial: 'DMPXL0ABJG5H', extra: ['Sales'] },
      { line: 6, serial: 'F9FXL0ABJG5H', extra: ['IT'] },
    ]);
  });

  it('reports duplicates with every line, and invalid rows with line, value and reason', async () => {
    const text = [
      'serial,group',
      'C02XL0ABJG5H,a',
      'bad-serial!,b',
      'c02xl0abjg5h,c',
      ',d',
      'SHORT',
      'WAYTOOLONGSERIAL123',
      'C02XL0ABJG5H,e',
      'DMPXL0ABJG5H',
      'dmpxl0abjg5h',
    ].join('\n');
    const result = await parseSerialCsv(text);
    expect(result.serials).toEqual(['C02XL0ABJG5H', 'DMPXL0ABJG5H']);
    expect(result.duplicates).toEqual([
      { serial: 'C02XL0ABJG5H', lines: [2, 4, 8] },
      { serial: 'DMPXL0ABJG5H', lines: [9, 10] },
    ]);
    expect(result.invalid).toEqual([
      {
        line: 3,
        value: 'bad-serial!',
        reason: 'serial numbers contain only uppercase letters A-Z and digits 0-9',
      },
      { line: 5, value: '', reason: 'empty serial number' },
      {
        line: 6,
        value: 'SHORT',
        reason: 'too short: serial numbers have 8 to 14 characters, got 5',
      },
      {
        line: 7,
        value: 'WAYTOOLONGSERIAL123',
        reason: 'too long: serial numbers have 8 to 14 characters, got 19',
      },
    ]);
    expect(result.rows.map((r) => r.extra[0])).toEqual(['a', 'c', 'e', undefined, undefined]);
  });

  it('counts lines of multi-line quoted cells and reports a quote that is never closed', async () => {
    const text = 'C02XL0ABJG5H,"two\r\nlines"\r\nDMPXL0ABJG5H\r\n"F9FXL0\r\nABJG5H\r\n';
    const result = await parseSerialCsv(text);
    expect(result.rows).toEqual([
      { line: 1, serial: 'C02XL0ABJG5H', extra: ['two\r\nlines'] },
      { line: 3, serial: 'DMPXL0ABJG5H', extra: [] },
    ]);
    expect(result.invalid).toEqual([
      {
        line: 4,
        value: '',
        reason:
          'a quoted field opened on this line is never closed, so the rest of the file (to line 5) could not be read',
      },
    ]);
  });

  it('keeps stray quotes as part of the value rather than failing the file', async () => {
    const result = await parseSerialCsv('"C02X"L0ABJG5H\nDMPXL0ABJG5H\n');
    expect(result.invalid[0]).toMatchObject({ line: 1, value: '"C02X"L0ABJG5H' });
    expect(result.serials).toEqual(['DMPXL0ABJG5H']);
  });

  it('reads bytes, UTF-16 with a BOM, web streams, Node streams and async iterables', async () => {
    const text = 'serial\nc02xl0abjg5h\ndmpxl0abjg5h\n';
    const expected = ['C02XL0ABJG5H', 'DMPXL0ABJG5H'];
    expect((await parseSerialCsv(enc(text))).serials).toEqual(expected);
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    expect((await parseSerialCsv(utf16)).serials).toEqual(expected);
    const utf16be = Buffer.from(text, 'utf16le').swap16();
    expect((await parseSerialCsv(new Uint8Array([0xfe, 0xff, ...utf16be]))).serials).toEqual(
      expected,
    );
    expect((await parseSerialCsv(new Blob([enc(text)]).stream())).serials).toEqual(expected);
    expect((await parseSerialCsv(Readable.from([Buffer.from(text)]))).serials).toEqual(expected);
    async function* bytewise() {
      for (const byte of enc('ä\nc02xl0abjg5h\ndmpxl0abjg5h\n')) yield new Uint8Array([byte]);
    }
    const split = await parseSerialCsv(bytewise());
    expect(split.serials).toEqual(expected);
    expect(split.invalid).toEqual([
      {
        line: 1,
        value: 'ä',
        reason: 'serial numbers contain only uppercase letters A-Z and digits 0-9',
      },
    ]);
    async function* strings() {
      yield 'C02XL0A';
      yield 'BJG5H\nDMPXL0ABJG5H';
    }
    expect((await parseSerialCsv(strings())).serials).toEqual(expected);
  });

  it('turns invalid UTF-8 into an invalid row, not a failed file', async () => {
    const bytes = new Uint8Array([...enc('C02XL0ABJG5H\n'), 0xc3, 0x28, ...enc('12345678\n')]);
    const result = await parseSerialCsv(bytes);
    expect(result.serials).toEqual(['C02XL0ABJG5H']);
    expect(result.invalid).toHaveLength(1);
    expect(result.invalid[0]?.line).toBe(2);
  });

  it('truncates long invalid values and can omit rows', async () => {
    const result = await parseSerialCsv(`${'X'.repeat(500)}\nC02XL0ABJG5H,extra\n`, {
      rows: false,
    });
    expect(result.invalid[0]?.value).toHaveLength(100);
    expect(result.rows).toEqual([]);
    expect(result.serials).toEqual(['C02XL0ABJG5H']);
  });

  it('returns an empty result for empty input', async () => {
    expect(await parseSerialCsv('')).toEqual({
      serials: [],
      duplicates: [],
      invalid: [],
      rows: [],
      header: null,
    });
    expect((await parseSerialCsv(new Uint8Array())).serials).toEqual([]);
  });

  it('throws CsvError only when the input cannot be read at all', async () => {
    await expect(parseSerialCsv(42 as never)).rejects.toBeInstanceOf(CsvError);
    async function* badChunk() {
      yield 42 as unknown as string;
    }
    await expect(parseSerialCsv(badChunk())).rejects.toThrow(
      /every chunk must be a string or a Uint8Array/,
    );
    async function* failing() {
      yield 'C02XL0ABJG5H\n';
      throw new Error('disk unplugged');
    }
    const error = await parseSerialCsv(failing()).catch((e: unknown) => e);
    expect(isAbmError(error, 'CSV_INVALID')).toBe(true);
    expect((error as CsvError).message).toMatch(/could not be read .*disk unplugged/);
    expect((error as CsvError).cause).toBeInstanceOf(Error);
    await expect(parseSerialCsv(`C02XL0ABJG5H\n${'A'.repeat(70_000)}\n`)).rejects.toThrow(
      /a row is longer than 65536 characters/,
    );
  });
});
