import { CsvError } from '../errors/input-errors.js';
import { parseSerialCsv } from '../profiles/parse-serial-csv.js';

/**
 * Reads a serial-number CSV for assignment and refuses it as a whole when any row is invalid or
 * no serial is found, naming the first bad row (line, value, reason) and how many there are.
 * @internal
 */
export async function readAssignmentCsv(csv: string | Uint8Array): Promise<string[]> {
  const parsed = await parseSerialCsv(csv, { rows: false });
  const first = parsed.invalid[0];
  if (first !== undefined) {
    const more = parsed.invalid.length - 1;
    throw new CsvError(
      `The CSV has ${parsed.invalid.length} invalid row${parsed.invalid.length === 1 ? '' : 's'}: line ${first.line} "${first.value}" (${first.reason})${more > 0 ? ` and ${more} more` : ''}. Fix or remove ${parsed.invalid.length === 1 ? 'it' : 'them'} and try again; nothing was assigned.`,
      { line: first.line },
    );
  }
  if (parsed.serials.length === 0) {
    throw new CsvError('The CSV holds no serial number; nothing was assigned.');
  }
  return parsed.serials;
}
