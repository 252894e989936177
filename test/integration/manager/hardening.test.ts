import { afterAll, describe, expect, it } from 'vitest';
import { AbmManager, profilePreset } from '../../../src/index.js';
import type { AbmStorage } from '../../../src/storage/types.js';
import {
  createDepSimulator,
  type DepSimulator,
  type DepSimulatorOptions,
} from '../../../src/testing/index.js';
import { fileKind, memoryKind, postgresKind, redisKind, type StoreKind } from './stores.js';

const kinds: StoreKind[] = [memoryKind(), fileKind(), await postgresKind(), await redisKind()];
afterAll(async () => {
  for (const k of kinds) await k.dispose();
});

const ONLY_MAC = { iPhone: 0, iPad: 0, Mac: 1, AppleTV: 0, Vision: 0, Watch: 0 };
const FAST_RETRY = { limit: 1, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 } as const;
const MISSING = 'DEADBEEFDEADBEEFDEADBEEFDEADBEEF';

interface Setup {
  sim: DepSimulator;
  url: string;
  storage: AbmStorage;
  manager: AbmManager;
  certificatePem: string;
  close(): Promise<void>;
}

/** A fetch that appends `devices` to the first answer of `path` (real HTTP underneath). */
function injectOnce(path: string, devices: object[]): typeof fetch {
  let done = false;
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (done || !new URL(url).pathname.endsWith(path) || res.status !== 200) return res;
    done = true;
    const json = (await res.json()) as { devices?: object[] };
    json.devices = [...(json.devices ?? []), ...devices];
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(JSON.stringify(json), { status: 200, headers });
  };
}

let n = 0;
async function setup(
  kind: StoreKind,
  devices = 250,
  fetchImpl?: typeof fetch,
  simOptions: Partial<DepSimulatorOptions> = {},
): Promise<Setup> {
  const sim = createDepSimulator({ devices, seed: 11, platforms: ONLY_MAC, ...simOptions });
  const url = await sim.listen();
  const storage = await kind.open(`hard${n++}`);
  const manager = new AbmManager({
    storage,
    baseUrl: url,
    pageSize: 100,
    telemetry: false,
    userAgent: 'abmkit-tests/1.0',
    retry: FAST_RETRY,
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  });
  const certificatePem = await manager.createKeyPair('t', { customerId: 'c' });
  await manager.uploadServerToken('t', (await sim.issueServerToken(certificatePem)).file);
  return {
    sim,
    url,
    storage,
    manager,
    certificatePem,
    close: async () => {
      await manager.stop();
      await sim.close();
    },
  };
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error('condition not reached');
}

for (const kind of kinds) {
  describe.skipIf(!kind.available)(`manager hardening on ${kind.name}`, () => {
    it('a policy profile Apple does not know: every page is stored, devices read Unassigned with the reason, health names the entry, no retry spin', async () => {
      const s = await setup(kind);
      try {
        await s.manager.setPolicy('t', { osDefaults: { macos: MISSING } });
        const first = await s.manager.syncNow('t');
        expect(first.status).toBe('completed');
        expect(first.pages).toBeGreaterThanOrEqual(3);
        expect(first.devices.added).toBe(250);
        const listed = await s.manager.listDevices('t', { status: 'unassigned', limit: 1000 });
        expect(listed.items).toHaveLength(250);
        for (const d of listed.items) {
          expect(d.unassignedReason).toMatch(/profile DEADBEEF\w+ not found in ABM/);
          expect(d.unassignedReason).toContain('osDefaults.macos');
        }
        const health = await s.manager.health('t');
        expect(health.status).toBe('valid');
        expect(health.problems[0]).toMatchObject({ code: 'PROFILE_NOT_FOUND', subject: MISSING });
        expect(health.problems[0]?.message).toContain('osDefaults.macos');
        expect(health.advice).toContain('osDefaults.macos');
        expect(health.advice).not.toBe('Nothing to do.');
        const assignCalls = s.sim.counters.byEndpoint['assignProfile'] ?? 0;
        const second = await s.manager.syncNow('t');
        expect(second.status).toBe('completed');
        expect(s.sim.counters.byEndpoint['assignProfile'] ?? 0).toBe(assignCalls);
        const retries = await s.storage.listRetries('t', { limit: 1000 });
        expect(retries.items.every((r) => r.nextAttemptAt === null)).toBe(true);
        // Fixing the policy clears the problem and assigns.
        const client = await s.manager.client('t');
        const real = (
          await client.defineProfile(
            profilePreset('automated', { name: 'Mac', url: 'https://m.example/e' }),
          )
        ).profile_uuid;
        await s.manager.setPolicy('t', { osDefaults: { macos: real } });
        expect((await s.manager.health('t')).problems).toEqual([]);
        const fixed = await s.manager.syncNow('t');
        expect(fixed.profiles.assigned).toBe(250);
        expect((await s.manager.listDevices('t', { status: 'unassigned' })).items).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('bad records (empty serial, 300-character serial, NUL in asset_tag, in an IMEI, in a key) are skipped and reported; the rest is stored', async () => {
      // The simulator only makes valid serials: Apple's first page is extended on the wire.
      const good = { serial_number: 'GOODEXTRA001', model: 'Mac', os: 'OSX', device_family: 'Mac' };
      const bad = [
        { serial_number: '', model: 'Mac', os: 'OSX' },
        { serial_number: 'X'.repeat(300), model: 'Mac', os: 'OSX' },
        { serial_number: 'NULTAG000001', model: 'Mac', os: 'OSX', asset_tag: 'tag\u0000zero' },
        // Nested: every store refuses a NUL at any depth, so the guard must find it there too.
        { serial_number: 'NULIMEI00001', model: 'iPhone', os: 'iOS', imei: ['35\u000012'] },
        { serial_number: 'NULKEY000001', model: 'Mac', os: 'OSX', extra: { 'a\u0000b': 1 } },
      ];
      // 90 devices + 6 injected records stay within the page limit of 100 that was asked for.
      const s = await setup(kind, 90, injectOnce('/server/devices', [...bad, good]));
      try {
        const report = await s.manager.syncNow('t');
        expect(report.status).toBe('completed');
        expect(report.devices.invalid).toBe(5);
        expect(report.devices.added).toBe(91);
        const reasons = report.invalidRecords.map((r) => r.reason).join('\n');
        expect(reasons).toMatch(/empty/);
        expect(reasons).toMatch(/300 characters/);
        expect(reasons).toMatch(/asset_tag/);
        expect(reasons).toMatch(/field imei contains a NUL/);
        expect(reasons).toMatch(/field extra contains a NUL/);
        expect(reasons).not.toContain('\u0000');
        expect(await s.storage.getDevice('t', 'GOODEXTRA001')).not.toBeNull();
        expect(await s.storage.getDevice('t', 'NULTAG000001')).toBeNull();
        expect(await s.storage.getDevice('t', 'NULIMEI00001')).toBeNull();
        const health = await s.manager.health('t');
        expect(health.problems.map((p) => p.code)).toContain('INVALID_RECORD');
        expect((await s.manager.syncNow('t')).status).toBe('completed');
      } finally {
        await s.close();
      }
    });

    it('a delete during a sync does not bring the token back', async () => {
      const s = await setup(kind);
      try {
        s.sim.faults.add({ endpoint: 'fetchDevices', after: 1, delayMs: 400 });
        const run = s.manager.syncNow('t');
        await waitFor(() => (s.sim.counters.byEndpoint['fetchDevices'] ?? 0) >= 1);
        expect(await s.manager.deleteToken('t')).toBe(true);
        await run;
        expect(await s.storage.getToken('t')).toBeNull();
        expect(await s.manager.listTokens()).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('a renewal during a sync: the old run cannot write its rejection (or session) onto the new token', async () => {
      const s = await setup(kind);
      try {
        const events: string[] = [];
        s.manager.on('token.rejected', () => void events.push('rejected'));
        // The run's second page is answered late with token_rejected (the old credentials).
        s.sim.faults.add({
          endpoint: 'fetchDevices',
          after: 1,
          delayMs: 400,
          status: 403,
          body: 'token_rejected',
        });
        const consumerKey = (await s.manager.health('t')).consumerKey as string;
        // The admin renews (ABM replaces the old credentials) and uploads once the run's first
        // page is in; the second is still on its way.
        let renewed: Promise<{ status: string }> | undefined;
        s.manager.once('sync.progress', () => {
          renewed = (async () => {
            const issued = await s.sim.issueServerToken(s.certificatePem, {
              consumer_key: consumerKey,
            });
            return s.manager.uploadServerToken('t', issued.file);
          })();
        });
        const run = s.manager.syncNow('t');
        await waitFor(() => renewed !== undefined);
        expect((await renewed)?.status).toBe('valid');
        const old = await run;
        expect(old.status).toBe('failed');
        expect(old.error?.code).toBe('TOKEN_REJECTED');
        const health = await s.manager.health('t');
        expect(health.status).toBe('valid');
        expect(events).toEqual([]);
        const next = await s.manager.syncNow('t');
        expect(next.status).toBe('completed');
      } finally {
        await s.close();
      }
    });
  });
}

describe('manager hardening (memory)', () => {
  it('health reports a failing sync (network): since when, how many runs, the remedy', async () => {
    const s = await setup(kinds[0] as StoreKind, 10);
    try {
      await s.sim.close();
      const a = await s.manager.syncNow('t');
      expect(a.status).toBe('failed');
      expect(a.error?.code).toBe('CONNECTION_FAILED');
      await s.manager.syncNow('t');
      const health = await s.manager.health('t');
      expect(health.status).toBe('valid');
      expect(health.sync.state).toBe('failing');
      expect(health.sync.failedRuns).toBe(2);
      expect(health.sync.failingSince).toBe(
        health.lastError?.at === undefined ? null : health.sync.failingSince,
      );
      expect(typeof health.sync.failingSince).toBe('string');
      expect(health.sync.remedy).toMatch(/firewall/);
      expect(health.advice).toMatch(/Sync failing since .* \(2 run\(s\)\)/);
      expect(health.advice).toMatch(/mdmenrollment\.apple\.com/);
    } finally {
      await s.manager.stop();
    }
  });

  it('clock skew: the refusal names timestamp_refused, health says to check the clock, the advice is not redacted', async () => {
    // Apple judges oauth_timestamp by real time: skew the simulator's OAuth clock by 2 h.
    let skewMs = 0;
    const s = await setup(kinds[0] as StoreKind, 10, undefined, {
      oauthNow: () => Date.now() + skewMs,
    });
    try {
      expect((await s.manager.syncNow('t')).status).toBe('completed');
      skewMs = 2 * 3_600_000;
      s.sim.clock.advance(2 * 3_600_000); // the session expires; the next login is 2 h off
      const report = await s.manager.syncNow('t');
      expect(report.status).toBe('failed');
      expect(report.error?.message).toContain('timestamp_refused');
      expect(report.error?.message).toMatch(/check the server clock/i);
      expect(report.error?.message).not.toContain('[REDACTED]');
      const health = await s.manager.health('t');
      expect(health.sync.state).toBe('failing');
      expect(health.sync.remedy).toMatch(/timestamp_refused.*clock/);
      expect(health.advice).toMatch(/clock/);
      expect(health.lastError?.message).not.toContain('[REDACTED]');
    } finally {
      await s.close();
    }
  });

  it('profile UUIDs in any spelling are stored canonically, so routine runs find nothing pending', async () => {
    const s = await setup(kinds[0] as StoreKind, 120);
    try {
      const client = await s.manager.client('t');
      const uuid = (
        await client.defineProfile(
          profilePreset('automated', { name: 'Mac', url: 'https://m.example/e' }),
        )
      ).profile_uuid;
      const hex = uuid.toLowerCase();
      const dashed = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      const stored = await s.manager.setPolicy('t', { osDefaults: { macos: dashed } });
      expect((stored.policy as { osDefaults: { macos: string } }).osDefaults.macos).toBe(uuid);
      expect((await s.manager.syncNow('t')).profiles.assigned).toBe(120);
      const pending = await s.storage.listDevices('t', { pendingAssignment: true });
      expect(pending.items).toEqual([]);
      const again = await s.manager.syncNow('t');
      expect(again.profiles.assigned).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('renew-soon fires on the cycle it becomes due, even while every sync fails', async () => {
    let now = new Date();
    const sim = createDepSimulator({ devices: 5, seed: 3 });
    const url = await sim.listen();
    const storage = await (kinds[0] as StoreKind).open('renew-soon');
    const manager = new AbmManager({
      storage,
      baseUrl: url,
      telemetry: false,
      retry: FAST_RETRY,
      now: () => now,
    });
    try {
      const pem = await manager.createKeyPair('t');
      const expiresAt = new Date(now.getTime() + 60 * 86_400_000);
      await manager.uploadServerToken('t', (await sim.issueServerToken(pem, { expiresAt })).file);
      const seen: string[] = [];
      manager.on('token.renew-soon', () => void seen.push('renew-soon'));
      await sim.close();
      now = new Date(now.getTime() + 40 * 86_400_000);
      const report = await manager.syncNow('t');
      expect(report.status).toBe('failed');
      expect(seen).toEqual(['renew-soon']);
      await manager.syncNow('t');
      expect(seen).toEqual(['renew-soon']);
    } finally {
      await manager.stop();
    }
  });

  it('a second createKeyPair returns the pending certificate; an explicit new one still lets the first token decrypt', async () => {
    const sim = createDepSimulator({ devices: 5, seed: 4 });
    const url = await sim.listen();
    const storage = await (kinds[0] as StoreKind).open('keypair');
    const manager = new AbmManager({ storage, baseUrl: url, telemetry: false, retry: FAST_RETRY });
    try {
      const first = await manager.createKeyPair('k');
      expect(await manager.createKeyPair('k')).toBe(first);
      expect(await manager.pendingCertificate('k')).toBe(first);
      const second = await manager.createKeyPair('k', { newKeyPair: true });
      expect(second).not.toBe(first);
      expect(await manager.pendingCertificate('k')).toBe(second);
      const health = await manager.uploadServerToken('k', (await sim.issueServerToken(first)).file);
      expect(health.status).toBe('valid');
      expect(await manager.pendingCertificate('k')).toBeNull();
      // A token issued for a certificate abmkit never had: a typed error with the hint.
      const stranger = createDepSimulator({ devices: 1, seed: 5 });
      const { generateKeyPair } = await import('../../../src/crypto/generate-key-pair.js');
      const other = await generateKeyPair({ commonName: 'x' });
      await expect(
        manager.uploadServerToken(
          'k',
          (await stranger.issueServerToken(other.certificatePem)).file,
        ),
      ).rejects.toMatchObject({
        code: 'TOKEN_DECRYPT_FAILED',
        message: expect.stringMatching(/pendingCertificate/),
      });
    } finally {
      await manager.stop();
      await sim.close();
    }
  });

  it('refuses an already expired server token at upload unless forced', async () => {
    const sim = createDepSimulator({ devices: 1, seed: 6 });
    const storage = await (kinds[0] as StoreKind).open('expired');
    const manager = new AbmManager({ storage, telemetry: false });
    const pem = await manager.createKeyPair('e');
    const file = (await sim.issueServerToken(pem, { expiresAt: new Date(Date.now() - 86_400_000) }))
      .file;
    await expect(manager.uploadServerToken('e', file)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/already expired/),
    });
    // Library users are told the option to pass (the CLI names its --force flag instead).
    await expect(manager.uploadServerToken('e', file)).rejects.toThrow(
      /pass \{ force: true \} to store it anyway/,
    );
    expect((await manager.uploadServerToken('e', file, { force: true })).status).toBe('expired');
  });

  it('syncNow takes an AbortSignal: the run is reported aborted', async () => {
    const s = await setup(kinds[0] as StoreKind, 250);
    try {
      s.sim.faults.add({ endpoint: 'fetchDevices', after: 1, delayMs: 2000 });
      const controller = new AbortController();
      const run = s.manager.syncNow('t', { signal: controller.signal });
      await waitFor(() => (s.sim.counters.byEndpoint['fetchDevices'] ?? 0) >= 2);
      controller.abort();
      const report = await run;
      expect(report.status).toBe('aborted');
      await expect(s.manager.syncNow('t', { signal: {} as AbortSignal })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    } finally {
      await s.close();
    }
  });

  it('a wrong storage key: listTokens works and health names the unreadable token with its key id and how to pass the key', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FileStorage } = await import('../../../src/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'abmkit-wrongkey-'));
    try {
      const right = new FileStorage({ directory: dir, encryptionKey: Buffer.alloc(32, 1) });
      const sim = createDepSimulator({ devices: 1, seed: 8 });
      const m1 = new AbmManager({ storage: right, telemetry: false });
      const pem = await m1.createKeyPair('w', { name: 'HQ' });
      await m1.uploadServerToken('w', (await sim.issueServerToken(pem)).file);
      await right.close();
      // The key kept as hex text and passed as its characters' bytes: the wrong key.
      const hex = Buffer.alloc(32, 1).toString('hex');
      const wrong = new FileStorage({
        directory: dir,
        encryptionKey: Buffer.from(hex.slice(0, 32)),
      });
      const m2 = new AbmManager({ storage: wrong, telemetry: false });
      const listed = await m2.listTokens();
      expect(listed).toMatchObject([{ tokenId: 'w', name: 'HQ', status: 'unreadable' }]);
      const health = await m2.health('w');
      expect(health.status).toBe('unreadable');
      expect(health.unreadable?.keyId).toMatch(/^k-/);
      expect(health.unreadable?.hint).toMatch(/Buffer\.from\(hex, 'hex'\)/);
      expect(health.advice).toMatch(/encryption key/);
      await wrong.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('decryptServerToken accepts the private key as a Buffer', async () => {
    const { decryptServerToken, generateKeyPair } = await import('../../../src/crypto/index.js');
    const sim = createDepSimulator({ devices: 1, seed: 9 });
    const pair = await generateKeyPair({ commonName: 'buffer-key' });
    const issued = await sim.issueServerToken(pair.certificatePem);
    const decrypted = await decryptServerToken(issued.file, Buffer.from(pair.privateKeyPem));
    expect(decrypted.consumerKey).toBe(issued.consumerKey);
  });

  it('devices stuck in Unassigned: health names the missing default profile, counts devices and shows the policy', async () => {
    const s = await setup(kinds[0] as StoreKind, 20);
    try {
      await s.manager.syncNow('t');
      const before = await s.manager.health('t');
      expect(before.devices?.unassigned).toBe(20);
      expect(before.policy).toBeNull();
      const problem = before.problems.find((p) => p.code === 'NO_PROFILE');
      expect(problem?.message).toMatch(/20 device\(s\) stay Unassigned/);
      expect(problem?.message).toMatch(/no profile policy is set/);
      expect(before.advice).toMatch(/default profile for the device's OS/);
      const client = await s.manager.client('t');
      const mac = (
        await client.defineProfile(
          profilePreset('automated', { name: 'Mac', url: 'https://m.example/e' }),
        )
      ).profile_uuid;
      await s.manager.setPolicy('t', { osDefaults: { macos: mac } });
      await s.manager.syncNow('t');
      const after = await s.manager.health('t');
      expect(after.problems.filter((p) => p.code === 'NO_PROFILE')).toEqual([]);
      expect(after.devices?.unassigned).toBe(0);
      expect(after.policy?.osDefaults).toEqual({ macos: mac });
      expect(after.advice).toBe('Nothing to do.');
    } finally {
      await s.close();
    }
  });

  it('migrating: an existing key pair and its server token file are imported', async () => {
    const { generateKeyPair } = await import('../../../src/crypto/index.js');
    const sim = createDepSimulator({ devices: 3, seed: 12 });
    const url = await sim.listen();
    const storage = await (kinds[0] as StoreKind).open('import');
    const manager = new AbmManager({ storage, baseUrl: url, telemetry: false, retry: FAST_RETRY });
    try {
      // What the other MDM had: its key pair and the token ABM issued for its certificate.
      const old = await generateKeyPair({ commonName: 'other-mdm' });
      const file = (await sim.issueServerToken(old.certificatePem)).file;
      await expect(
        manager.importKeyPair('m', { privateKeyPem: 'not a key' }),
      ).rejects.toMatchObject({ code: 'PRIVATE_KEY_INVALID' });
      await manager.importKeyPair('m', old, { customerId: 'acme' });
      expect((await manager.uploadServerToken('m', file)).status).toBe('valid');
      expect((await manager.syncNow('m')).devices.added).toBe(3);
    } finally {
      await manager.stop();
      await sim.close();
    }
  });
});
