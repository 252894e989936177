import { isAbmError } from '../../errors/guards.js';

/**
 * The documented exit codes of `abmkit`: 0 ok, 1 failure, 2 usage (bad options, arguments or
 * environment), 3 `doctor` found something that needs attention.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, attention: 3 } as const;

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure that is not an `AbmError` but has a one-line explanation (exit code 1). */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly code = 'FAILED',
  ) {
    super(message);
  }
}

/** Prints one line for an error (its code and advice), the stack only with `--debug`. */
export function reportError(error: unknown, debug: boolean, write: (text: string) => void): number {
  const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
  let code: number;
  if (error instanceof UsageError) {
    write(`abmkit: usage error: ${oneLine(error.message)} (see abmkit --help)\n`);
    code = EXIT.usage;
  } else if (isAbmError(error)) {
    write(`abmkit: error ${error.code}: ${oneLine(error.message)}\n`);
    code = EXIT.failure;
  } else if (error instanceof CliFailure) {
    write(`abmkit: error ${error.code}: ${oneLine(error.message)}\n`);
    code = EXIT.failure;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    write(`abmkit: error: ${oneLine(message)} (run with --debug for details)\n`);
    code = EXIT.failure;
  }
  if (debug && error instanceof Error && error.stack !== undefined) write(`${error.stack}\n`);
  return code;
}
