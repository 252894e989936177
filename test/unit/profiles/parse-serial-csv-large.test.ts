import { describe, expect, it } from 'vitest';
import { parseSerialCsv } from '../../../src/index.js';

const ROWS = 1_000_000;
const serialAt = (i: number) => `C${i.toString(36).toUpperCase().padStart(11, '0')}`;

/** A 1,000,000-row CSV generated on the fly in 64 KiB byte chunks; never materialised whole. */
async function* generatedCsv(): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let buffer = 'Serial Number,Group\r\n';
  for (let i = 0; i < ROWS; i++) {
    // Row 500,000 repeats row 1; every 250,000th row is invalid.
    const serial = i === 500_000 ? serialAt(0) : i % 250_000 === 249_999 ? 'bad' : serialAt(i);
    buffer += `${i % 3 === 0 ? serial.toLowerCase() : serial},g${i % 7}\r\n`;
    if (buffer.length >= 65_536) {
      yield encoder.encode(buffer);
      buffer = '';
    }
  }
  yield encoder.encode(buffer);
}

describe('parseSerialCsv on a 1,000,000-row stream', () => {
  it('reads every row with correct line numbers', async () => {
    const result = await parseSerialCsv(generatedCsv(), { rows: false });
    expect(result.header).toEqual(['Serial Number', 'Group']);
    expect(result.serials).toHaveLength(ROWS - 1 - 4);
    expect(result.serials[0]).toBe(serialAt(0));
    expect(result.serials.at(-1)).toBe(serialAt(ROWS - 2));
    expect(result.duplicates).toEqual([{ serial: serialAt(0), lines: [2, 500_002] }]);
    expect(result.invalid.map((r) => r.line)).toEqual([250_001, 500_001, 750_001, 1_000_001]);
  });
});
