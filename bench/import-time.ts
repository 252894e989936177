/**
 * Benchmark (issue #13, case e): the time to import the built package (`dist/`, run
 * `npm run build` first) in a fresh Node process, per entry point, interleaved with the baseline
 * `node -e ""`. The import time is the difference of the medians (#13 target: under 100 ms for
 * the main entry).
 *
 *   node --import tsx bench/import-time.ts [--runs 10] [--full (20 runs)]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { arg, fmt, interleave, loadLine, stats } from './_harness.js';

const RUNS = arg('runs', 10, 20);
const root = join(import.meta.dirname, '..');
const ENTRIES = ['abmkit', 'abmkit/testing', 'abmkit/storage/postgres', 'abmkit/storage/redis'];

if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('import-time: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}

/** Wall time of one `node --input-type=module -e <code>` in the package directory (self-import). */
function spawnMs(code: string): () => Promise<number> {
  return async () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${code}: ${r.stderr.toString()}`);
    return ms;
  };
}

console.log(`import-time: fresh node process per run, ${RUNS} interleaved runs; ${loadLine()}`);
const cases: Record<string, () => Promise<number>> = { 'node -e ""': spawnMs('') };
for (const e of ENTRIES) cases[e] = spawnMs(`await import('${e}')`);
const r = await interleave(RUNS, cases);
const base = stats(r['node -e ""']!).median;
for (const [name, xs] of Object.entries(r)) {
  const extra = name.startsWith('node')
    ? ''
    : `  → import ${(stats(xs).median - base).toFixed(0)} ms`;
  console.log(`  ${name.padEnd(24)} ${fmt(xs, 'ms')}${extra}`);
}
