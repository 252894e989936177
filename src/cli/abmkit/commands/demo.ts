import type { Command } from 'commander';
import { type CliIo, sub } from '../command.js';
import { UsageError } from '../exit.js';

/** `demo`: the whole flow on the embedded default (simulators + FileStorage in a temp folder). */
export function registerDemo(program: Command, io: CliIo): void {
  sub(
    program,
    'demo',
    'Run abmkit end to end on local ADE simulators and FileStorage in a temporary folder (no Apple account needed)',
    ['abmkit demo', 'abmkit demo --devices 10000 --keep'],
  )
    .option('--devices <n>', 'devices of the main tenant', '2000')
    .option('--keep', 'keep the temporary folder (then inspect it with --store file:DIR)')
    .action(async (o: { devices: string; keep?: boolean }) => {
      const n = Number(o.devices);
      if (!Number.isInteger(n) || n < 10 || n > 200_000) {
        throw new UsageError('--devices must be a whole number from 10 to 200000');
      }
      const { runDemo } = await import('./demo-run.js');
      await runDemo(io, n, o.keep === true);
    });
}
