/**
 * The simulator as a fake Apple driven over HTTP only, as a test in Go, Python or any language
 * would drive `npx abmkit-simulator`: devices added and removed through `/_sim/`, the clock moved
 * past a cursor's 7 days, a 503 scripted, and a token renewal for the same MDM server.
 *
 *   npx tsx examples/simulator-control.ts
 */
import { AbmManager, isAbmError, MemoryStorage } from 'abmkit';
import { createDepSimulator } from 'abmkit/testing';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

// `npx abmkit-simulator` does the same (control API on by default).
const sim = createDepSimulator({ devices: 25, seed: 1 });
const baseUrl = await sim.listen(0, '127.0.0.1', { control: true });
const SIM = `${baseUrl}/_sim`;

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${SIM}/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} /_sim/${path}: ${res.status} ${await res.text()}`);
  return res;
}

const manager = new AbmManager({
  storage: new MemoryStorage({ encryptionKey: Buffer.alloc(32, 1) }),
  userAgent: 'simulator-control-example/1.0',
  telemetry: false,
});
try {
  // 1. The admin's token download, over HTTP.
  const certificatePem = await manager.createKeyPair('acme', { baseUrl });
  const first = await control('POST', 'tokens', { certificatePem });
  const consumerKey = first.headers.get('x-sim-consumer-key');
  await manager.uploadServerToken('acme', await first.text());
  const initial = await manager.syncNow('acme');
  out(`first sync: ${initial.devices.added} devices (consumer key ${consumerKey})`);

  // 2. An admin assigns 3 devices and releases one in ABM.
  await control('POST', 'devices', { count: 3 });
  const listed = (await (await control('GET', 'devices?limit=1')).json()) as { serials: string[] };
  await control('POST', 'devices/remove', { serials: listed.serials });
  const next = await manager.syncNow('acme');
  out(`sync: +${next.devices.added} added, ${next.devices.removed} removed`);

  // 3. Eight days pass: the stored cursor expires; login still works on real time.
  await control('POST', 'clock', { advanceMs: 8 * 86_400_000 });
  const later = await manager.syncNow('acme');
  out(`after 8 days: ${later.status}, full fetch ${later.fullFetch}`);

  // 4. Apple is briefly unavailable.
  await control('POST', 'faults', { endpoint: 'syncDevices', status: 503, retryAfter: 0 });
  const retried = await manager.syncNow('acme');
  const log = (await (await control('GET', 'requests')).json()) as {
    requests: { endpoint: string; status: number }[];
  };
  const unavailable = log.requests.filter((r) => r.status === 503).length;
  out(`503 answered ${unavailable}x, sync ${retried.status}`);

  // 5. A year later: the renewal for the same MDM server (same consumer key).
  const renewal = await control('POST', 'tokens', { certificatePem, consumerKey });
  await manager.uploadServerToken('acme', await renewal.text());
  out(`renewal ${renewal.headers.get('x-sim-renewal') === 'true' ? 'accepted' : 'missing'}`);

  // A token of another MDM server is refused.
  const other = await control('POST', 'tokens', { certificatePem });
  await manager.uploadServerToken('acme', await other.text()).catch((error: unknown) => {
    out(`other server's token: ${isAbmError(error) ? error.code : String(error)}`);
  });
} finally {
  await manager.stop();
  await sim.close();
}
