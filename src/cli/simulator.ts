#!/usr/bin/env node
/**
 * `abmkit-simulator`: starts the ADE simulator on 127.0.0.1 for manual use.
 *
 * ```sh
 * npx abmkit-simulator --devices 5000 --port 8080 --seed 1
 * ```
 *
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createDepSimulator } from '../testing/simulator/index.js';

const HELP = `abmkit-simulator: a local simulator of Apple's ADE (DEP) web service

Usage: abmkit-simulator [options]

  --devices <n>         generated devices (default 5000)
  --port <n>            port on 127.0.0.1 (default 8080; 0 = any free port)
  --seed <n|text>       seed of the generated data (default 1)
  --protocol <n>        protocol version assumed without X-Server-Protocol-Version (default 1)
  --rotate <p>          probability that a response rotates the session (default 0)
  --cert <file.pem>     also write a server token (.p7m) encrypted to this certificate
  --token-out <file>    where to write that token (default: ABM-style name in the current dir)
  -h, --help            this help
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
        cert: { type: 'string' },
        'token-out': { type: 'string' },
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
  const sim = createDepSimulator({
    devices: integer('devices', str('devices'), 5000),
    seed: /^\d+$/.test(seedText) ? Number(seedText) : seedText,
    defaultProtocolVersion: Math.max(1, integer('protocol', str('protocol'), 1)),
    session: { rotateProbability: rotate },
  });
  const url = await sim.listen(integer('port', str('port'), 8080));
  const credentials = sim.tokens.create();
  const session = sim.sessions.create(credentials.consumer_key);
  const lines = [
    `ADE simulator listening on ${url}  (${sim.devices.count} devices, seed ${seedText})`,
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
  const cert = str('cert');
  if (cert !== undefined) {
    const pem = await readFile(cert, 'utf8');
    const token = await sim.issueServerToken(pem);
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
    void sim.close().then(() => process.exit(0));
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
