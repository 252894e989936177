import { describe, expect, it } from 'vitest';
import { parseSerialCsv } from '../../../src/index.js';

const utf16le = new Uint8Array(
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Serial\r\nc02xl0abjg5h\r\n', 'utf16le')]),
);

// Regression: the encoding was decided from the first byte chunk alone, so a stream whose first
// chunk was empty or held one byte of the UTF-16 byte-order mark was decoded as UTF-8 and every
// row came back invalid (NUL bytes between the letters).
describe('parseSerialCsv: the byte-order mark split across stream chunks', () => {
  it.each([
    ['an empty first chunk', [0, 0]],
    ['a one-byte first chunk', [1]],
    ['an empty chunk, then one byte', [0, 1]],
  ])('reads UTF-16 after %s', async (_label, cuts) => {
    async function* chunks() {
      let at = 0;
      for (const cut of cuts) {
        yield utf16le.subarray(at, cut);
        at = cut;
      }
      yield utf16le.subarray(at);
    }
    const result = await parseSerialCsv(chunks());
    expect(result.invalid).toEqual([]);
    expect(result.header).toEqual(['Serial']);
    expect(result.serials).toEqual(['C02XL0ABJG5H']);
  });

  it('decodes a one-byte UTF-8 file (no room for a byte-order mark)', async () => {
    const result = await parseSerialCsv(new Uint8Array([0x41]));
    expect(result.invalid).toEqual([
      { line: 1, value: 'A', reason: expect.stringMatching(/short/) },
    ]);
  });
});
