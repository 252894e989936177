import type { Command } from 'commander';
import type { GlobalOptions } from './context.js';

/** The process the commands run in (stdout, stderr, environment). */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when the operator asks to stop (SIGINT / SIGTERM); listens from the first call. */
  interrupted: () => Promise<void>;
}

/** Adds a subcommand with its description and an example shown by `--help`. */
export function sub(
  parent: Command,
  spec: string,
  description: string,
  examples: string[],
): Command {
  return parent
    .command(spec)
    .description(description)
    .addHelpText(
      'after',
      `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`,
    );
}

/** The command's options merged with the global ones. */
export function options<T extends object>(cmd: Command): T & GlobalOptions {
  return cmd.optsWithGlobals() as T & GlobalOptions;
}
