/**
 * The built `abmkit-simulator` CLI as a standalone fake Apple, driven over HTTP only: the
 * control API under /_sim/, a real AbmClient and AbmManager on the Apple paths, no in-process
 * simulator API. Child processes are real work, hence the generous timeouts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbmClient,
  AbmManager,
  type DevicePage,
  decryptServerToken,
  generateKeyPair,
  isAbmError,
  MemoryStorage,
  serverTokenFromJSON,
} from '../../../src/index.js';
import { http, type RunningCli, requireBuiltCli, startCli } from './cli.js';

const DAY = 86_400_000;
const KEY = Buffer.alloc(32, 5);
const running: RunningCli[] = [];

async function cli(args: readonly string[], cwd?: string): Promise<RunningCli> {
  const started = await startCli(args, cwd);
  running.push(started);
  return started;
}

function control(sim: RunningCli): string {
  if (!sim.controlUrl) throw new Error('control API is off');
  return sim.controlUrl;
}

async function clientFor(sim: RunningCli): Promise<AbmClient> {
  const credentials = await http('POST', `${control(sim)}tokens/credentials`, {});
  expect(credentials.status).toBe(200);
  return new AbmClient({
    token: serverTokenFromJSON(credentials.json),
    baseUrl: sim.url,
    userAgent: 'abmkit-cli-tests/1.0',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

async function allPages(pages: AsyncIterable<DevicePage>): Promise<DevicePage[]> {
  const out: DevicePage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

beforeAll(() => {
  requireBuiltCli();
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});

describe('abmkit-simulator CLI over HTTP: devices', () => {
  it('adds, modifies and removes devices through /_sim/ and AbmClient sees them in a sync', async () => {
    const sim = await cli(['--devices', '30', '--seed', '11', '--protocol', '10']);
    expect(sim.controlUrl).toBe(`${sim.url}/_sim/`);
    const client = await clientFor(sim);
    const fetched = await allPages(client.devicePages({ limit: 1000 }));
    const serials = fetched.flatMap((p) => p.devices.map((d) => d.serial_number));
    expect(serials).toHaveLength(30);
    const cursor = fetched.at(-1)?.cursor as string;

    const added = await http('POST', `${control(sim)}devices`, { count: 2, platform: 'Mac' });
    expect(added.status).toBe(200);
    expect(added.json.serials).toHaveLength(2);
    expect(added.json.count).toBe(32);
    const [kept, gone] = serials as [string, string];
    const modified = await http('POST', `${control(sim)}devices/modify`, {
      serials: [kept],
      patch: { asset_tag: 'CLI-1' },
    });
    expect(modified.json).toEqual({ serials: [kept], count: 32 });
    const removed = await http('POST', `${control(sim)}devices/remove`, { serials: [gone] });
    expect(removed.json).toEqual({ serials: [gone], count: 31 });

    const changes = (await allPages(client.devicePages({ cursor }))).flatMap((p) => p.devices);
    const ops = changes.map((d) => [d.op_type, d.serial_number]);
    expect(ops).toEqual([
      ['added', added.json.serials[0]],
      ['added', added.json.serials[1]],
      ['modified', kept],
      ['deleted', gone],
    ]);
    expect(changes[0]?.os).toBe('OSX');
    expect(changes[2]?.asset_tag).toBe('CLI-1');

    const listed = await http('GET', `${control(sim)}devices?limit=3`);
    expect(listed.json.count).toBe(31);
    expect(listed.json.serials).toHaveLength(3);
    expect(listed.json.serials).not.toContain(gone);
  }, 60_000);

  it('refuses bad control bodies with typed 4xx answers and changes nothing', async () => {
    const sim = await cli(['--devices', '5']);
    const base = control(sim);
    const malformed = await http('POST', `${base}devices`, '{"count": 2');
    expect(malformed.status).toBe(400);
    expect(malformed.json.code).toBe('MALFORMED_JSON');
    const wrongType = await http('POST', `${base}devices`, { count: '2' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.code).toBe('INVALID_BODY');
    expect(wrongType.json.issues[0].path).toBe('count');
    const typo = await http('POST', `${base}clock`, { advance_ms: 1000 });
    expect(typo.json.code).toBe('INVALID_BODY');
    expect(typo.json.message).toContain('advance_ms');
    const unknownSerial = await http('POST', `${base}devices/remove`, {
      serials: ['NOSUCHSERIAL1'],
    });
    expect(unknownSerial.status).toBe(404);
    expect(unknownSerial.json).toMatchObject({
      code: 'DEVICE_NOT_FOUND',
      serials: ['NOSUCHSERIAL1'],
    });
    const tooLarge = await http('POST', `${base}devices`, `"${'x'.repeat(2 * 1024 * 1024)}"`);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.code).toBe('BODY_TOO_LARGE');
    const wrongMethod = await http('PUT', `${base}reset`, {});
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const badCert = await http('POST', `${base}tokens`, {
      certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    });
    expect(badCert.status).toBe(400);
    expect(badCert.json.code).toBe('CERTIFICATE_INVALID');
    expect((await http('GET', `${base}devices`)).json.count).toBe(5);
    const index = await http('GET', `${sim.url}/_sim`);
    expect(index.json.routes.map((r: { path: string }) => r.path)).toEqual(
      expect.arrayContaining([
        '/_sim/devices',
        '/_sim/devices/modify',
        '/_sim/devices/remove',
        '/_sim/clock',
        '/_sim/faults',
        '/_sim/tokens',
        '/_sim/requests',
        '/_sim/reset',
      ]),
    );
  }, 60_000);
});

describe('abmkit-simulator CLI over HTTP: clock, faults, request log', () => {
  let sim: RunningCli;
  let client: AbmClient;

  beforeAll(async () => {
    sim = await cli(['--devices', '20', '--seed', '3']);
    client = await clientFor(sim);
  }, 60_000);

  it('advancing the clock past a cursor’s 7 days expires the cursor, and login still works on real time', async () => {
    const fetched = await allPages(client.devicePages({ limit: 1000 }));
    const cursor = fetched.at(-1)?.cursor as string;
    const { json: since } = await http('GET', `${control(sim)}requests`);
    const lastSeq = since.requests.at(-1)?.seq ?? 0;

    const moved = await http('POST', `${control(sim)}clock`, { advanceMs: 8 * DAY });
    expect(moved.status).toBe(200);
    expect(moved.json.nowMs).toBeGreaterThan(Date.now() + 7 * DAY);

    // The session expired on the simulator clock: the client logs in again with a real-time
    // oauth_timestamp, and the simulator accepts it.
    const error = await client
      .syncDevices({ cursor })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(isAbmError(error, 'CURSOR_EXPIRED')).toBe(true);
    const log = (await http('GET', `${control(sim)}requests?since=${lastSeq}`)).json.requests;
    expect(log.map((e: { endpoint: string; status: number }) => [e.endpoint, e.status])).toEqual([
      ['syncDevices', 401],
      ['session', 200],
      ['syncDevices', 400],
    ]);
    expect(log[2].error).toBe('EXPIRED_CURSOR');
    // The iterator recovers with a full fetch.
    const again = await allPages(client.devicePages({ cursor, phase: 'sync', limit: 1000 }));
    expect(again[0]?.restarted).toBe(true);
    expect(again.flatMap((p) => p.devices)).toHaveLength(20);
  }, 60_000);

  it('scripts a 503 with Retry-After, and the request log shows it', async () => {
    const fault = await http('POST', `${control(sim)}faults`, {
      endpoint: 'account',
      status: 503,
      retryAfter: 1,
    });
    expect(fault.status).toBe(201);
    expect(fault.json.id).toMatch(/^fault-/);
    const listed = (await http('GET', `${control(sim)}faults`)).json.faults;
    expect(listed).toEqual([expect.objectContaining({ endpoint: 'account', remaining: 1 })]);

    const raw = await http('GET', `${sim.url}/account`, undefined, {
      'user-agent': 'raw-http/1',
    });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(raw.text).toBe('SERVICE_UNAVAILABLE');

    await http('POST', `${control(sim)}faults`, {
      endpoint: 'account',
      status: 503,
      retryAfter: 0,
    });
    const account = await client.getAccount();
    expect(account.server_name).toBe('Simulated MDM Server');
    const log = (await http('GET', `${control(sim)}requests`)).json;
    const accountCalls = log.requests
      .filter((e: { endpoint: string }) => e.endpoint === 'account')
      .map((e: { status: number; fault?: boolean }) => [e.status, e.fault === true]);
    expect(accountCalls).toEqual([
      [503, true],
      [503, true],
      [200, false],
    ]);
    expect(log.counters.faultsApplied).toBe(2);
    expect((await http('GET', `${control(sim)}faults`)).json.faults).toEqual([]);
  }, 60_000);

  it('scripts unlimited faults as "Infinity" and clears them with DELETE', async () => {
    await http('POST', `${control(sim)}faults`, {
      endpoint: '/devices/sync',
      times: 'Infinity',
      status: 500,
    });
    expect((await http('GET', `${control(sim)}faults`)).json.faults[0]).toMatchObject({
      times: 'Infinity',
      remaining: 'Infinity',
    });
    expect((await http('DELETE', `${control(sim)}faults`)).json).toEqual({ removed: 1 });
  }, 60_000);

  it('resets to the initial state: log empty, earlier cursors invalid', async () => {
    await http('POST', `${control(sim)}devices`, { count: 1 });
    expect((await http('POST', `${control(sim)}reset`, {})).json).toEqual({ reset: true });
    expect((await http('GET', `${control(sim)}requests`)).json.requests).toEqual([]);
    expect((await http('GET', `${control(sim)}devices`)).json.count).toBe(20);
    // Tokens survive a reset by default: the same client keeps working.
    await expect(client.getAccount()).resolves.toMatchObject({ server_name: expect.any(String) });
  }, 60_000);
});

describe('abmkit-simulator CLI over HTTP: renewals', () => {
  it('issues a renewal with the same consumer key that AbmManager accepts for the same MDM server', async () => {
    const sim = await cli(['--devices', '12', '--seed', '5']);
    const storage = new MemoryStorage({ encryptionKey: KEY });
    const manager = new AbmManager({ storage, telemetry: false, userAgent: 'abmkit-cli-tests/1' });
    try {
      const certificatePem = await manager.createKeyPair('t', { baseUrl: sim.url });
      const first = await http('POST', `${control(sim)}tokens`, { certificatePem });
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toContain('application/pkcs7-mime');
      expect(first.headers.get('content-disposition')).toMatch(/_smime\.p7m"$/);
      expect(first.headers.get('x-sim-renewal')).toBe('false');
      const consumerKey = first.headers.get('x-sim-consumer-key') as string;
      await manager.uploadServerToken('t', first.text);
      expect((await manager.health('t')).consumerKey).toBe(consumerKey);
      expect((await manager.syncNow('t')).status).toBe('completed');

      const renewal = await http('POST', `${control(sim)}tokens`, { certificatePem, consumerKey });
      expect(renewal.headers.get('x-sim-renewal')).toBe('true');
      expect(renewal.headers.get('x-sim-consumer-key')).toBe(consumerKey);
      await manager.uploadServerToken('t', renewal.text);
      expect((await manager.health('t')).consumerKey).toBe(consumerKey);
      await http('POST', `${control(sim)}devices`, { count: 1 });
      const report = await manager.syncNow('t');
      expect(report.status).toBe('completed');
      expect(report.devices.added).toBe(1);

      // A token of another MDM server (no consumerKey) is refused: the check is real.
      const other = await http('POST', `${control(sim)}tokens`, { certificatePem });
      const refused = await manager.uploadServerToken('t', other.text).catch((e: unknown) => e);
      expect(isAbmError(refused, 'TOKEN_MISMATCH')).toBe(true);
    } finally {
      await manager.stop();
    }
  }, 90_000);

  it('--cert with --consumer-key writes a renewal after a restart; --error-body, --unknown-session, --cursor-max-age apply', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'abmkit-cli-'));
    try {
      const pair = await generateKeyPair();
      await writeFile(join(dir, 'cert.pem'), pair.certificatePem);
      const sim = await cli(
        [
          '--devices',
          '4',
          '--cert',
          'cert.pem',
          '--token-out',
          'renewed.p7m',
          '--consumer-key',
          'CK_STORED_BY_THE_MDM',
          '--error-body',
          'json',
          '--unknown-session',
          'forbidden',
          '--cursor-max-age',
          '1h',
        ],
        dir,
      );
      expect(sim.stdout).toContain('consumer key CK_STORED_BY_THE_MDM');
      const token = await decryptServerToken(
        await readFile(join(dir, 'renewed.p7m'), 'utf8'),
        pair.privateKeyPem,
      );
      expect(token.consumerKey).toBe('CK_STORED_BY_THE_MDM');
      const client = new AbmClient({
        token,
        baseUrl: sim.url,
        userAgent: 'abmkit-cli-tests/1.0',
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
      });
      const fetched = await allPages(client.devicePages());
      const cursor = fetched.at(-1)?.cursor as string;

      const unknown = await http('GET', `${sim.url}/account`, undefined, {
        'user-agent': 'raw-http/1',
        'x-adm-auth-session': 'nope',
      });
      expect(unknown.status).toBe(403);
      expect(unknown.json).toEqual({ code: 'FORBIDDEN' });

      await http('POST', `${control(sim)}clock`, { advanceMs: 2 * 3_600_000 });
      const error = await client.syncDevices({ cursor }).catch((e: unknown) => e);
      expect(isAbmError(error, 'CURSOR_EXPIRED')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('moves the control API to its own port, or turns it off', async () => {
    const own = await cli(['--devices', '2', '--control-port', '0']);
    expect(own.controlUrl).toBeDefined();
    expect(own.controlUrl?.startsWith(own.url)).toBe(false);
    expect((await http('GET', `${control(own)}devices`)).json.count).toBe(2);
    const onApplePort = await http('GET', `${own.url}/_sim/devices`, undefined, {
      'user-agent': 'raw-http/1',
    });
    expect(onApplePort.status).toBe(404);
    expect(onApplePort.text).toBe('NOT_FOUND');
    const appleOnControlPort = await http('GET', `${new URL(control(own)).origin}/account`);
    expect(appleOnControlPort.json.code).toBe('NOT_FOUND');

    const off = await cli(['--devices', '2', '--no-control']);
    expect(off.controlUrl).toBeUndefined();
    expect(off.stdout).toContain('Control API: off');
    const refused = await http(
      'POST',
      `${off.url}/_sim/devices`,
      { count: 1 },
      {
        'user-agent': 'raw-http/1',
      },
    );
    expect(refused.status).toBe(404);
  }, 60_000);
});
