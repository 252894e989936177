import { Command, CommanderError } from 'commander';
import { VERSION } from '../../internal/version.js';
import type { CliIo } from './command.js';
import { registerApiAccounts } from './commands/api-accounts.js';
import { registerConsole } from './commands/console.js';
import { registerDemo } from './commands/demo.js';
import { registerDevices } from './commands/devices.js';
import { registerDoctor } from './commands/doctor.js';
import { registerPolicy } from './commands/policy.js';
import { delegateToSimulator, registerSimulator } from './commands/simulator.js';
import { registerSync } from './commands/sync.js';
import { registerTokens } from './commands/tokens.js';
import { EXIT, reportError } from './exit.js';

const EPILOG = `
Environment:
  ABMKIT_STORE      same as --store (file:DIR | postgres://… | redis://…)
  ABMKIT_KEY        32-byte encryption key of stored secrets: 64 hex or 44 base64 characters
                    (make one: openssl rand -hex 32)
  ABMKIT_BASE_URL   same as --base-url (a proxy or the simulator)
  ABMKIT_API_BASE_URL  same as api-account add --api-base-url (Business API; the simulator
                    serves it on its ADE port)

Exit codes:
  0  ok
  1  failure (the error's code and advice are printed)
  2  usage: bad option, argument, --store, ABMKIT_KEY or file path
  3  doctor: something needs attention

Example:
  $ export ABMKIT_STORE=file:./abmkit-data ABMKIT_KEY=$(openssl rand -hex 32)
  $ abmkit keygen acme-hq --customer acme --site hq --out acme-hq.pem
  $ abmkit token upload acme-hq ~/Downloads/*_smime.p7m && abmkit sync acme-hq
`;

/** Builds the `abmkit` program (commander). */
export function buildProgram(io: CliIo): Command {
  const program = new Command('abmkit')
    .description(
      'Apple Business Manager / ADE from the command line: tokens, sync, devices, profiles, doctor, admin console',
    )
    .version(VERSION, '-v, --version')
    .option(
      '--store <spec>',
      'where abmkit keeps its data: file:DIR | postgres://… | redis://… (or ABMKIT_STORE)',
    )
    .option('--base-url <url>', 'ADE base URL: a proxy or the simulator (or ABMKIT_BASE_URL)')
    .option('--json', 'machine-readable output')
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) =>
        write(`abmkit: usage error: ${s.replace(/^error: /, '').trim()} (see abmkit --help)\n`),
    })
    .addHelpText('after', EPILOG);
  registerTokens(program, io);
  registerSync(program, io);
  registerDevices(program, io);
  registerPolicy(program, io);
  registerApiAccounts(program, io);
  registerDoctor(program, io);
  registerConsole(program, io);
  registerSimulator(program);
  registerDemo(program, io);
  return program;
}

/** Runs `abmkit` with `argv` (without node and script) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === 'simulator') {
    await delegateToSimulator(argv.slice(1));
    return -1;
  }
  const program = buildProgram(io);
  const debug = argv.includes('--debug');
  try {
    process.exitCode = undefined;
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
        return EXIT.ok;
      return EXIT.usage;
    }
    return reportError(error, debug, (s) => io.stderr.write(s));
  }
}
