import { describe, expect, it } from 'vitest';
import { parseSerialCsv } from '../../../src/index.js';

// Regression: every row used to be split on `,`, `;` and tab at once, so an unquoted `;` inside a
// comma-separated file (or a `,` inside a semicolon-separated Excel export) shifted the columns
// and the serial column of a header such as `Model,Serial Number` read the wrong cell.
describe('parseSerialCsv: one delimiter per file, taken from the first row', () => {
  it('keeps a `;` inside a comma-separated row in its cell', async () => {
    const result = await parseSerialCsv('Model,Serial Number\niPad; Wi-Fi,c02xl0abjg5h\n');
    expect(result.invalid).toEqual([]);
    expect(result.serials).toEqual(['C02XL0ABJG5H']);
    expect(result.rows).toEqual([{ line: 2, serial: 'C02XL0ABJG5H', extra: ['iPad; Wi-Fi'] }]);
  });

  it('keeps a `,` inside a semicolon-separated (European Excel) row in its cell', async () => {
    const result = await parseSerialCsv('Model;Serial\r\nMacBook Pro 14, M3;C02XL0ABJG5H\r\n');
    expect(result.header).toEqual(['Model', 'Serial']);
    expect(result.rows).toEqual([
      { line: 2, serial: 'C02XL0ABJG5H', extra: ['MacBook Pro 14, M3'] },
    ]);
  });

  it('takes the delimiter from the first non-blank row, ignoring quoted text', async () => {
    const text = '\n"a;b;c",Serial\t\nSales;EMEA,C02XL0ABJG5H\t\n';
    const result = await parseSerialCsv(text);
    // `,` and tab tie once each outside the quotes: `,` wins; the trailing tab is trimmed away.
    expect(result.header).toEqual(['a;b;c', 'Serial']);
    expect(result.rows[0]).toEqual({ line: 3, serial: 'C02XL0ABJG5H', extra: ['Sales;EMEA'] });
  });

  it('sniffs across chunks and still accepts any delimiter in a one-column first row', async () => {
    async function* chunks() {
      yield 'serial';
      yield '\tgroup\nC02XL0ABJG5H\tsales, emea\n';
    }
    const tabbed = await parseSerialCsv(chunks());
    expect(tabbed.rows).toEqual([{ line: 2, serial: 'C02XL0ABJG5H', extra: ['sales, emea'] }]);
    const oneColumn = await parseSerialCsv('C02XL0ABJG5H\nC02XL0ABJG5I;sales\n');
    expect(oneColumn.rows[1]).toEqual({ line: 2, serial: 'C02XL0ABJG5I', extra: ['sales'] });
  });
});
