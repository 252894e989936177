import { createConnection } from 'node:net';

/** Whether a missing service must fail the run (CI or ABMKIT_REQUIRE_SERVICES=1). */
export const servicesRequired =
  process.env['ABMKIT_REQUIRE_SERVICES'] === '1' || Boolean(process.env['CI']);

/** Resolves whether a TCP server answers at `url`'s host and port within 1.5 s. */
export function answers(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({
      host: u.hostname || '127.0.0.1',
      port: Number(u.port || defaultPort),
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Decides whether to run a service-backed suite: runs when the server answers; otherwise warns
 * visibly and skips, except when services are required, where it throws (the file fails).
 */
export async function shouldRun(name: string, url: string, defaultPort: number): Promise<boolean> {
  if (await answers(url, defaultPort)) return true;
  const msg = `${name} at ${url} does not answer`;
  if (servicesRequired)
    throw new Error(`${msg}, and CI / ABMKIT_REQUIRE_SERVICES=1 requires it. Start the service.`);
  console.warn(
    `\n⚠️  SKIPPING ${name} storage tests: ${msg}. Start it (see docs/storage.md) to run them.\n`,
  );
  return false;
}
