#!/usr/bin/env node
/**
 * `abmkit-simulator`: starts the ADE simulator on 127.0.0.1 for manual use.
 *
 * ```sh
 * npx abmkit-simulator --devices 5000 --port 8080 --seed 1
 * curl -s --json '{"count":3}' http://127.0.0.1:8080/_sim/devices
 * ```
 *
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createDepSimulator, startSimulatorControl } from '../testing/simulator/index.js';

const HELP = `abmkit-simulator: a local simulator of Apple's ADE (DEP) web service

Usage: abmkit-simulator [options]

  --devices <n>           generated devices (default 5000)
  --port <n>              port on 127.0.0.1 (default 8080; 0 = any free port)
  --seed <n|text>         seed of the generated data (default 1)
  --protocol <n>          protocol version assumed without X-Server-Protocol-Version (default 1)
  --rotate <p>            probability that a response rotates the session (default 0)
  --cursor-max-age <d>    age at which sync answers EXPIRED_CURSOR: ms, or 90s, 30m, 12h, 7d (default 7d)
  --unknown-session <s>   answer to an unknown session: unauthorized (401, default) or forbidden (403)
  --error-body <style>    error bodies: text (default), quoted ("CODE", like depsim) or json ({"code":…})
  --cert <file.pem>       also write a server token (.p7m) encrypted to this certificate
  --token-out <file>      where to write that token (default: ABM-style name in the current dir)
  --consumer-key <CK_…>   consumer key of that token: renews an MDM server an MDM already stored
  --control-port <n>      serve the control API (/_sim/…) on this port instead of --port
  --no-control            do not serve the control API
  -h, --help              this help

The control API (POST /_sim/devices, /_sim/clock, /_sim/faults, /_sim/tokens, …) changes the
running simulator over HTTP; GET /_sim lists its routes. It has no authentication: it listens on
127.0.0.1 only. Guide: docs/simulator.md in the abmkit package.
`;

function fail(message: string): never {
  process.stderr.write(`abmkit-simulator: ${message}\n\n${HELP}`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) fail(`--${name} must be a non-negative integer`);
  return Number(value);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function duration(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,15})(ms|s|m|h|d)?$/.exec(value);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1) : Number.NaN;
  if (!(ms >= 1 && Number.isSafeInteger(ms))) {
    fail(`--${name} must be a positive duration: milliseconds, or a number with s, m, h or d`);
  }
  return ms;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]) {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    fail(`--${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        devices: { type: 'string' },
        port: { type: 'string' },
        seed: { type: 'string' },
        protocol: { type: 'string' },
        rotate: { type: 'string' },
        'cursor-max-age': { type: 'string' },
        'unknown-session': { type: 'string' },
        'error-body': { type: 'string' },
        cert: { type: 'string' },
        'token-out': { type: 'string' },
        'consumer-key': { type: 'string' },
        'control-port': { type: 'string' },
        'no-control': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values['help']) {
    process.stdout.write(HELP);
    return;
  }
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const seedText = str('seed') ?? '1';
  const rotate = Number(str('rotate') ?? '0');
  if (!(rotate >= 0 && rotate <= 1)) fail('--rotate must be between 0 and 1');
  const cursorMaxAgeMs = duration('cursor-max-age', str('cursor-max-age'));
  const unknownSession = oneOf('unknown-session', str('unknown-session'), [
    'unauthorized',
    'forbidden',
  ] as const);
  const errorBodyStyle = oneOf('error-body', str('error-body'), [
    'text',
    'quoted',
    'json',
  ] as const);
  const consumerKey = str('consumer-key');
  if (consumerKey !== undefined && !/^[\x21-\x7e]{1,512}$/.test(consumerKey)) {
    fail('--consumer-key must be printable ASCII without spaces (CK_…)');
  }
  if (consumerKey !== undefined && str('cert') === undefined) {
    fail('--consumer-key names the key of the token written with --cert; add --cert <file.pem>');
  }
  const controlOff = values['no-control'] === true;
  const controlPortText = str('control-port');
  if (controlOff && controlPortText !== undefined) {
    fail('--no-control and --control-port contradict each other; pick one');
  }
  const sim = createDepSimulator({
    devices: integer('devices', str('devices'), 5000),
    seed: /^\d+$/.test(seedText) ? Number(seedText) : seedText,
    defaultProtocolVersion: Math.max(1, integer('protocol', str('protocol'), 1)),
    session: {
      rotateProbability: rotate,
      ...(unknownSession !== undefined ? { unknownSession } : {}),
    },
    ...(cursorMaxAgeMs !== undefined ? { cursorMaxAgeMs } : {}),
    ...(errorBodyStyle !== undefined ? { errorBodyStyle } : {}),
  });
  const url = await sim.listen(integer('port', str('port'), 8080), '127.0.0.1', {
    control: !controlOff && controlPortText === undefined,
  });
  const control =
    controlPortText === undefined
      ? undefined
      : await startSimulatorControl(sim, { port: integer('control-port', controlPortText, 0) });
  const controlUrl = controlOff ? undefined : `${control?.url ?? url}/_sim/`;
  const credentials = sim.tokens.create();
  const session = sim.sessions.create(credentials.consumer_key);
  const lines = [
    `ADE simulator listening on ${url}  (${sim.devices.count} devices, seed ${seedText})`,
    controlUrl === undefined
      ? 'Control API: off'
      : `Control API: ${controlUrl}  (GET it for the list of routes)`,
    '',
    'OAuth 1.0a credentials it accepts (the JSON inside a server token):',
    JSON.stringify(credentials),
    '',
    'A session token (valid for 30 minutes), to try it with curl:',
    `  curl -s -H 'User-Agent: curl-demo/1' -H 'X-Server-Protocol-Version: 10' \\`,
    `       -H 'X-ADM-Auth-Session: ${session}' ${url}/account`,
    `  curl -s -X POST -H 'User-Agent: curl-demo/1' -H 'X-Server-Protocol-Version: 10' \\`,
    `       -H 'X-ADM-Auth-Session: ${session}' -d '{"limit":5}' ${url}/server/devices`,
  ];
  if (controlUrl !== undefined) {
    lines.push(
      '',
      'Change it while it runs, e.g.:',
      `  curl -s --json '{"count":3}' ${controlUrl}devices`,
      `  curl -s --json '{"advanceMs":691200000}' ${controlUrl}clock`,
    );
  }
  const cert = str('cert');
  if (cert !== undefined) {
    const pem = await readFile(cert, 'utf8');
    const token = await sim.issueServerToken(
      pem,
      consumerKey !== undefined ? { consumer_key: consumerKey } : {},
    );
    const out = str('token-out') ?? token.filename;
    await writeFile(out, token.file, { mode: 0o600 });
    lines.push(
      '',
      `Server token encrypted to ${cert} written to ${out} (consumer key ${token.consumerKey}).`,
    );
  }
  lines.push('', 'Press Ctrl+C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = (): void => {
    void Promise.all([sim.close(), control?.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `abmkit-simulator: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
