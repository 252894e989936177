/**
 * Runs every benchmark in bench/ one after another, each in its own Node process, and prints
 * their output. Figures are recorded in docs/performance.md.
 *
 *   npm run bench                 # all, quick sizes (see bench/README.md)
 *   npm run bench -- client       # only files whose name contains "client"
 *   npm run bench -- --full       # the sizes of issue #13 (also with a filter)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const full = process.argv.includes('--full');
const filter = process.argv.slice(2).find((a) => a !== '--full') ?? '';
const files = readdirSync(dir)
  .filter(
    (f) => f.endsWith('.ts') && f !== 'run-all.ts' && !f.startsWith('_') && f.includes(filter),
  )
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n### ${file}\n`);
  const args = ['--expose-gc', '--import', 'tsx', join(dir, file), ...(full ? ['--full'] : [])];
  const res = spawnSync(process.execPath, args, {
    stdio: 'inherit',
  });
  if (res.status !== 0) {
    failed++;
    console.error(`${file} exited with ${res.status}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
