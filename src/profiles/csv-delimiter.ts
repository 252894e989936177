/**
 * Delimiter detection for the serial CSV import: one delimiter per file, taken from the first
 * non-blank row, so that a `;` in a comma-separated file (or a `,` in a semicolon-separated
 * Excel export) stays inside its cell.
 *
 * @internal
 * @module
 */

/** The delimiters a serial CSV may use, in order of preference on a tie. */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;

/**
 * The delimiter of a CSV whose beginning is `text`: the one of `,`, `;`, tab that occurs most
 * often outside quotes in the first non-blank row (ties: that order); `undefined` while the
 * first non-blank row is not complete yet and `final` is false. A first row without any of
 * them (a one-column file) leaves all three allowed.
 *
 * @internal
 */
export function sniffDelimiter(
  text: string,
  final: boolean,
): string | readonly string[] | undefined {
  const counts = [0, 0, 0];
  let quoted = false;
  let content = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      quoted = !quoted;
      content = true;
    } else if (quoted) {
      // inside quotes: delimiters and line breaks belong to the cell
    } else if (c === '\n' || c === '\r') {
      if (content) return decide(counts);
    } else {
      const index = CSV_DELIMITERS.indexOf(c as (typeof CSV_DELIMITERS)[number]);
      if (index >= 0) counts[index]! += 1;
      if (c !== ' ' && c !== '\uFEFF') content = true;
    }
  }
  return final ? decide(counts) : undefined;
}

function decide(counts: readonly number[]): string | readonly string[] {
  let best = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! > 0 && (best < 0 || counts[i]! > counts[best]!)) best = i;
  }
  return best < 0 ? CSV_DELIMITERS : CSV_DELIMITERS[best]!;
}
