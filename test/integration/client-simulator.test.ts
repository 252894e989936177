import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbmClient,
  type AbmClientOptions,
  type DevicePage,
  isAbmError,
  type ServerToken,
} from '../../src/index.js';
import {
  createDepSimulator,
  type DepSimulator,
  type SimTokenCredentials,
} from '../../src/testing/index.js';

let sim: DepSimulator;
let baseUrl: string;
let credentials: SimTokenCredentials;

function toServerToken(c: SimTokenCredentials): ServerToken {
  return {
    consumerKey: c.consumer_key,
    consumerSecret: c.consumer_secret,
    accessToken: c.access_token,
    accessSecret: c.access_secret,
    accessTokenExpiry: new Date(c.access_token_expiry),
  };
}

function client(options: Partial<AbmClientOptions> = {}): AbmClient {
  return new AbmClient({
    token: toServerToken(credentials),
    baseUrl,
    userAgent: 'abmkit-tests/1',
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 20 },
    ...options,
  });
}

async function pages(iterable: AsyncIterable<DevicePage>): Promise<DevicePage[]> {
  const out: DevicePage[] = [];
  for await (const page of iterable) out.push(page);
  return out;
}

beforeAll(async () => {
  sim = createDepSimulator({ devices: 1500, seed: 7 });
  credentials = sim.tokens.create();
  baseUrl = await sim.listen();
});
afterAll(async () => {
  await sim.close();
});

describe('AbmClient against the ADE simulator over loopback HTTP', () => {
  it('reads the account', async () => {
    const account = await client().getAccount();
    expect(account.server_uuid).toBe(sim.account.detail.server_uuid);
  });

  it('runs a full fetch, then syncs changes from the stored cursor', async () => {
    const c = client();
    const full = await pages(c.devicePages({ limit: 500 }));
    const fetched = full.filter((p) => p.phase === 'fetch').flatMap((p) => p.devices);
    expect(fetched).toHaveLength(1500);
    expect(new Set(fetched.map((d) => d.serial_number)).size).toBe(1500);
    const cursor = full.at(-1)?.cursor;
    expect(cursor).toBeTruthy();

    const [first, second] = sim.devices.serials(2);
    sim.devices.modify(first!, { asset_tag: 'NEW-TAG' });
    sim.devices.remove(second!);
    const added = sim.devices.add();
    const delta = await pages(c.devicePages({ cursor: cursor! }));
    const ops = delta.flatMap((p) => p.devices.map((d) => [d.serial_number, d.op_type]));
    expect(ops).toEqual(
      expect.arrayContaining([
        [first, 'modified'],
        [second, 'deleted'],
        [added.serial_number, 'added'],
      ]),
    );
    expect(delta.every((p) => p.phase === 'sync')).toBe(true);
  });

  it('survives session loss and rotation mid-iteration', async () => {
    const c = client();
    let n = 0;
    const before = sim.counters.sessionsIssued;
    for await (const page of c.devicePages({ limit: 300 })) {
      n += page.devices.length;
      if (n === 300) sim.sessions.invalidateAll();
      if (n === 600) sim.sessions.rotateNext();
    }
    expect(n).toBeGreaterThanOrEqual(1500);
    expect(sim.counters.sessionsIssued - before).toBe(2);
  });

  it('defines, reads, assigns (>1000 serials, chunked) and removes a profile', async () => {
    const c = client();
    const { profile_uuid } = await c.defineProfile({
      profile_name: 'Staff',
      url: 'https://mdm.example.com/enroll',
      is_supervised: true,
    });
    expect((await c.getProfile(profile_uuid)).profile_name).toBe('Staff');
    const serials = sim.devices.serials(1200);
    const assigned = await c.assignProfile(profile_uuid, [...serials, 'NOTMYDEVICE1']);
    expect(Object.values(assigned.devices).filter((s) => s === 'SUCCESS')).toHaveLength(1200);
    expect(assigned.devices['NOTMYDEVICE1'] ?? assigned.missing).toBeTruthy();
    const details = await c.getDeviceDetails(serials.slice(0, 3));
    expect(Object.values(details.devices).every((d) => d.profile_uuid === profile_uuid)).toBe(true);
    const removed = await c.removeProfile(serials.slice(0, 3));
    expect(Object.values(removed.devices)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
  });

  it('retries 503 with Retry-After and a dropped connection for safe operations', async () => {
    sim.faults.add({ endpoint: 'account', status: 503, retryAfter: 0 });
    sim.faults.add({ endpoint: 'account', drop: true });
    const before = sim.counters.byEndpoint['account'] ?? 0;
    await expect(client().getAccount()).resolves.toMatchObject({ server_uuid: expect.any(String) });
    expect((sim.counters.byEndpoint['account'] ?? 0) - before).toBe(3);
  });

  it('restarts a full fetch when the cursor has expired', async () => {
    const young = createDepSimulator({ devices: 50, seed: 3, cursorMaxAgeMs: 5 });
    const creds = young.tokens.create();
    const url = await young.listen();
    try {
      const c = new AbmClient({
        token: toServerToken(creds),
        baseUrl: url,
        userAgent: 'abmkit-tests/1',
      });
      const { value: first } = await c.devicePages().next();
      await new Promise((resolve) => setTimeout(resolve, 20));
      // With a 5 ms cursor lifetime the restarted fetch's cursor expires before its sync too, and
      // a run restarts at most once: the restarted fetch arrives, then the second expiry surfaces.
      const seen: DevicePage[] = [];
      const err = await (async () => {
        for await (const p of c.devicePages({ cursor: first?.cursor ?? '', phase: 'sync' })) {
          seen.push(p);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })().catch((e: unknown) => e);
      expect(seen[0]).toMatchObject({ phase: 'fetch', restarted: true });
      expect(seen.flatMap((p) => p.devices)).toHaveLength(50);
      expect(isAbmError(err, 'CURSOR_EXPIRED')).toBe(true);
    } finally {
      await young.close();
    }
  });

  it('reports terms-not-signed and a revoked token as typed errors', async () => {
    sim.account.setTermsSigned(false);
    const terms = await client()
      .getAccount()
      .catch((e: unknown) => e);
    sim.account.setTermsSigned(true);
    expect(isAbmError(terms, 'TERMS_NOT_SIGNED')).toBe(true);

    const other = sim.tokens.create();
    const revoked = new AbmClient({
      token: toServerToken(other),
      baseUrl,
      userAgent: 'abmkit-tests/1',
    });
    await revoked.getAccount();
    sim.tokens.revoke(other.consumer_key);
    const err = await revoked.getAccount().catch((e: unknown) => e);
    expect(isAbmError(err, 'TOKEN_REJECTED')).toBe(true);
  });
});
