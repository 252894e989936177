/**
 * Serial CSV import throughput: parseSerialCsv over a 1,000,000-row CSV streamed in 64 KiB byte
 * chunks, compared with a bare baseline that only decodes the same chunks and splits lines.
 *
 *   node --import tsx bench/parse-csv.ts
 */
import { parseSerialCsv } from '../src/profiles/index.js';

const ROWS = 1_000_000;
const encoder = new TextEncoder();
const chunks: Uint8Array[] = [];
let buffer = 'Serial Number,Group\r\n';
for (let i = 0; i < ROWS; i++) {
  buffer += `C${i.toString(36).toUpperCase().padStart(11, '0')},g${i % 7}\r\n`;
  if (buffer.length >= 65_536) {
    chunks.push(encoder.encode(buffer));
    buffer = '';
  }
}
chunks.push(encoder.encode(buffer));

async function* stream(): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

async function best(label: string, fn: () => Promise<number>): Promise<number> {
  let bestMs = Number.POSITIVE_INFINITY;
  let check = 0;
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    check = await fn();
    bestMs = Math.min(bestMs, performance.now() - start);
  }
  const perSecond = (ROWS / bestMs) * 1000;
  console.log(
    `${label.padEnd(40)} ${bestMs.toFixed(0).padStart(6)} ms  ${(perSecond / 1e6).toFixed(2)} M rows/s  (${check})`,
  );
  return perSecond;
}

console.log(`node ${process.version}, ${ROWS.toLocaleString('en')} rows, best of 3\n`);
const baseline = await best('baseline: TextDecoder + split lines', async () => {
  const decoder = new TextDecoder();
  let lines = 0;
  let rest = '';
  for await (const chunk of stream()) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = parts.pop() ?? '';
    lines += parts.length;
  }
  return lines;
});
const withRows = await best(
  'parseSerialCsv (rows kept)',
  async () => (await parseSerialCsv(stream())).serials.length,
);
const noRows = await best(
  'parseSerialCsv { rows: false }',
  async () => (await parseSerialCsv(stream(), { rows: false })).serials.length,
);
console.log(
  `\nparseSerialCsv: ${(withRows / 1e6).toFixed(2)} M rows/s (${(noRows / 1e6).toFixed(2)} without rows), ${(baseline / withRows).toFixed(1)}× slower than splitting lines`,
);
