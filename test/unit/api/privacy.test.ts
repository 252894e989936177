import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedAccessToken } from '../../../src/api/index.js';
import { type ApiHarness, startApiHarness } from './helpers.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ devices: 3 });
});
afterAll(async () => {
  await h.sim.close();
});

describe('API client privacy', () => {
  it('keeps the private key and the bearer token out of logs and errors, even when echoed', async () => {
    const lines: string[] = [];
    const log = (obj: unknown, msg?: string) =>
      void lines.push(`${inspect(obj, { depth: 10 })} ${msg ?? ''}`);
    const logger = {
      trace: log,
      debug: log,
      info: log,
      warn: log,
      error: log,
      fatal: log,
      child: () => logger,
    };
    const tokens: CachedAccessToken[] = [];
    const client = h.client({
      logger: logger as never,
      tokenCache: {
        get: () => undefined,
        set: (_k, t) => void tokens.push(t),
        delete: () => undefined,
      },
    });
    await client.mdmServer(h.sim.businessApi.adeServerId);
    const bearer = tokens[0]?.accessToken as string;
    expect(bearer.length).toBeGreaterThan(20);
    // The server echoes the bearer token in an error body, twice (once for the re-minted replay).
    h.sim.faults.add({
      endpoint: 'mdmServers',
      status: 400,
      body: { errors: [{ status: '400', code: 'X', detail: `bad token ${bearer}` }] },
    });
    const err = await client.mdmServer(h.sim.businessApi.adeServerId).catch((e: unknown) => e);
    const keyLine = h.account.privateKey.split('\n')[1]?.slice(0, 24) as string;
    for (const text of [
      inspect(err, { depth: 10 }),
      JSON.stringify(err),
      String((err as Error).message),
      ...lines,
    ]) {
      expect(text).not.toContain(bearer);
      expect(text).not.toContain(keyLine);
    }
    expect((err as { bodyExcerpt?: string }).bodyExcerpt).toContain('[REDACTED]');
  });
});
