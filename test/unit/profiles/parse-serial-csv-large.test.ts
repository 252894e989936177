import { describe, expect, it } from 'vitest';
import { parseSerialCsv } from '../../../src/index.js';

// Large enough for about 60 chunks of 64 KiB (rows and quotes split across chunk edges), small
// enough to stay well inside the timeout on a loaded 2-core machine. Throughput at a million rows
// is measured in bench/parse-csv.ts, not here.
const ROWS = 200_000;
const QUARTER = ROWS / 4;
const serialAt = (i: number) => `C${i.toString(36).toUpperCase().padStart(11, '0')}`;

/** A 200,000-row CSV generated on the fly in 64 KiB byte chunks; never materialised whole. */
async function* generatedCsv(): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let buffer = 'Serial Number,Group\r\n';
  for (let i = 0; i < ROWS; i++) {
    // The middle row repeats row 1; the last row of every quarter is invalid.
    const serial = i === ROWS / 2 ? serialAt(0) : i % QUARTER === QUARTER - 1 ? 'bad' : serialAt(i);
    buffer += `${i % 3 === 0 ? serial.toLowerCase() : serial},g${i % 7}\r\n`;
    if (buffer.length >= 65_536) {
      yield encoder.encode(buffer);
      buffer = '';
    }
  }
  yield encoder.encode(buffer);
}

describe('parseSerialCsv on a 200,000-row stream', () => {
  it('reads every row with correct line numbers', async () => {
    const result = await parseSerialCsv(generatedCsv(), { rows: false });
    expect(result.header).toEqual(['Serial Number', 'Group']);
    expect(result.serials).toHaveLength(ROWS - 1 - 4);
    expect(result.serials[0]).toBe(serialAt(0));
    expect(result.serials.at(-1)).toBe(serialAt(ROWS - 2));
    expect(result.duplicates).toEqual([{ serial: serialAt(0), lines: [2, ROWS / 2 + 2] }]);
    expect(result.invalid.map((r) => r.line)).toEqual([1, 2, 3, 4].map((q) => q * QUARTER + 1));
    // Real CPU work (about 1 s on an idle core): the timeout leaves room for a loaded machine.
  }, 120_000);
});
