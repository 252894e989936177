#!/usr/bin/env node
/**
 * `abmkit`: the operator's command line (tokens, sync, devices, policy, doctor, admin console,
 * simulator, demo). `abmkit --help` lists the commands; docs/cli.md describes them.
 *
 * @module
 */
import { run } from './abmkit/program.js';

let stopping: Promise<void> | undefined;
const interrupted = (): Promise<void> => {
  stopping ??= new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  return stopping;
};

run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  interrupted,
}).then(
  (code) => {
    // -1: the command took over the process (simulator); it exits by itself.
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `abmkit: error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
