import type { Command } from 'commander';
import { sub } from '../command.js';

/** Registers `simulator` for `--help`; `run()` hands its arguments to the simulator CLI. */
export function registerSimulator(program: Command): void {
  sub(
    program,
    'simulator',
    'Start the local ADE simulator (the same program and options as abmkit-simulator; see abmkit simulator --help)',
    ['abmkit simulator --devices 5000 --port 8080 --cert cert.pem'],
  )
    .helpOption(false)
    .allowUnknownOption()
    .argument('[options...]');
}

/**
 * Runs the simulator CLI (`src/cli/simulator.ts`, the `abmkit-simulator` bin) in this process with
 * `args`, so that both commands share one set of options.
 */
export async function delegateToSimulator(args: readonly string[]): Promise<void> {
  process.argv = [process.argv[0] ?? 'node', 'abmkit-simulator', ...args];
  await import('../../simulator.js');
}
