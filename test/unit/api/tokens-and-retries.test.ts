import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storageAccessTokenCache } from '../../../src/api/index.js';
import { isAbmError } from '../../../src/errors/index.js';
import { FileStorage } from '../../../src/storage/file/file-storage.js';
import { MemoryStorage } from '../../../src/storage/index.js';
import { type ApiHarness, collect, startApiHarness } from './helpers.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ devices: 5 });
});
afterAll(async () => {
  await h.sim.close();
});
beforeEach(() => {
  h.sim.faults.clear();
});

const encryptionKey = Buffer.alloc(32, 7);

describe('access tokens', () => {
  it('are cached until shortly before expires_in, refreshed single-flight, and shared by two clients through storage', async () => {
    const storage = new MemoryStorage({ encryptionKey });
    const cache = storageAccessTokenCache(storage);
    const a = h.client({ tokenCache: cache });
    const b = h.client({ tokenCache: cache });
    const before = h.tokenRequests();
    await Promise.all([
      a.mdmServer(h.sim.businessApi.adeServerId),
      a.mdmServer(h.sim.businessApi.adeServerId),
    ]);
    expect(h.tokenRequests() - before).toBe(1);
    await b.mdmServer(h.sim.businessApi.adeServerId);
    expect(h.tokenRequests() - before).toBe(1);
    // 58 minutes later the token is still used; at 59+ it is refreshed once, by whichever client asks.
    h.sim.clock.advance(58 * 60_000);
    await a.mdmServer(h.sim.businessApi.adeServerId);
    expect(h.tokenRequests() - before).toBe(1);
    h.sim.clock.advance(90_000);
    await Promise.all([
      b.mdmServer(h.sim.businessApi.adeServerId),
      b.mdmServer(h.sim.businessApi.adeServerId),
    ]);
    expect(h.tokenRequests() - before).toBe(2);
    await a.mdmServer(h.sim.businessApi.adeServerId);
    expect(h.tokenRequests() - before).toBe(2);
  });

  it('are stored encrypted: the storage files never hold the bearer token in plaintext', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abmkit-api-token-'));
    const storage = new FileStorage({ directory: dir, encryptionKey });
    try {
      const seen: string[] = [];
      const inner = storageAccessTokenCache(storage);
      await h
        .client({
          tokenCache: {
            get: (k) => inner.get(k),
            delete: (k) => inner.delete(k),
            set: async (k, t) => {
              seen.push(t.accessToken);
              await inner.set(k, t);
            },
          },
        })
        .mdmServer(h.sim.businessApi.adeServerId);
      const token = seen[0] as string;
      expect(token.length).toBeGreaterThan(20);
      const cached = await inner.get(
        seen.length
          ? (await import('../../../src/api/index.js')).accessTokenCacheKey(
              h.account.clientId,
              h.account.keyId,
            )
          : '',
      );
      expect(cached?.accessToken).toBe(token);
      const files = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n');
      expect(files.length).toBeGreaterThan(0);
      expect(files).not.toContain(token);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is re-minted once on a 401, and a second 401 is AUTH_FAILED', async () => {
    const client = h.client();
    await client.mdmServer(h.sim.businessApi.adeServerId);
    const before = h.tokenRequests();
    h.sim.faults.add({ endpoint: 'mdmServers', status: 401 });
    await client.mdmServer(h.sim.businessApi.adeServerId);
    expect(h.tokenRequests() - before).toBe(1);
    h.sim.faults.add({ endpoint: 'mdmServers', status: 401, times: 2 });
    const err = await client.mdmServer(h.sim.businessApi.adeServerId).catch((e: unknown) => e);
    expect(isAbmError(err) && err.code).toBe('AUTH_FAILED');
  });
});

describe('retries through the one retry layer', () => {
  it('retries 429 with Retry-After and 5xx, then succeeds', async () => {
    const client = h.client();
    h.sim.faults.add({ endpoint: 'orgDevices', status: 429, retryAfter: 0 });
    h.sim.faults.add({ endpoint: 'orgDevices', status: 503 });
    h.sim.faults.add({ endpoint: 'apiToken', status: 500 });
    const devices = await collect(client.orgDevices());
    expect(devices).toHaveLength(5);
    const log = h.sim.requests.slice(-5).map((r) => r.status);
    expect(log).toEqual([500, 200, 429, 503, 200]);
  });

  it('gives up with RATE_LIMITED / SERVER_ERROR after the retry budget, with the attempt count', async () => {
    const client = h.client({
      retry: { limit: 2, baseDelayMs: 1, jitter: false, maxRetryAfterMs: 5 },
    });
    await client.mdmServer(h.sim.businessApi.adeServerId);
    h.sim.faults.add({ endpoint: 'mdmServers', status: 429, retryAfter: 0, times: 3 });
    const limited = await client.mdmServer(h.sim.businessApi.adeServerId).catch((e: unknown) => e);
    expect(isAbmError(limited) && limited.code).toBe('RATE_LIMITED');
    expect((limited as { attempts: number }).attempts).toBe(3);
    h.sim.faults.add({ endpoint: 'mdmServers', status: 502, times: 3 });
    const failed = await client.mdmServer(h.sim.businessApi.adeServerId).catch((e: unknown) => e);
    expect(isAbmError(failed) && failed.code).toBe('SERVER_ERROR');
  });

  it('does not replay an activity creation after an ambiguous 5xx', async () => {
    const client = h.client();
    h.sim.faults.add({ endpoint: 'createActivity', status: 500 });
    const before = h.sim.requests.filter((r) => r.endpoint === ('createActivity' as never)).length;
    const err = await client
      .assignDevices(h.sim.businessApi.adeServerId, [
        h.sim.businessApi.addUnassignedDevices(1).first,
      ])
      .catch((e: unknown) => e);
    expect(isAbmError(err) && err.code).toBe('SERVER_ERROR');
    expect(
      h.sim.requests.filter((r) => r.endpoint === ('createActivity' as never)).length - before,
    ).toBe(1);
  });

  it('refuses a links.next on another origin and a repeated cursor', async () => {
    const client = h.client();
    h.sim.faults.add({
      endpoint: 'orgDevices',
      status: 200,
      body: { data: [], links: { next: 'https://evil.example/v1/orgDevices?cursor=x' } },
    });
    const err = await collect(client.orgDevices()).catch((e: unknown) => e);
    expect(isAbmError(err) && err.code).toBe('RESPONSE_INVALID');
    const loop = { data: [], links: { next: `${h.baseUrl}/v1/orgDevices?cursor=same` } };
    h.sim.faults.add({ endpoint: 'orgDevices', status: 200, body: loop, times: 3 });
    const err2 = await collect(client.orgDevices()).catch((e: unknown) => e);
    expect((err2 as Error).message).toMatch(/repeated/);
  });
});
