import { AbmApiClient, type AbmApiClientOptions } from '../../../src/api/index.js';
import {
  createDepSimulator,
  type DepSimulator,
  type SimApiAccount,
} from '../../../src/testing/index.js';

export interface ApiHarness {
  sim: DepSimulator;
  baseUrl: string;
  account: SimApiAccount;
  client(options?: Partial<AbmApiClientOptions>): AbmApiClient;
  tokenRequests(): number;
}

/** A simulator over loopback HTTP with one API account, and clients on the simulator clock. */
export async function startApiHarness(
  options: { devices?: number; unassigned?: number; seed?: number } = {},
): Promise<ApiHarness> {
  const sim = createDepSimulator({ devices: options.devices ?? 20, seed: options.seed ?? 3 });
  const baseUrl = await sim.listen();
  const account = sim.businessApi.createAccount();
  if (options.unassigned) sim.businessApi.addUnassignedDevices(options.unassigned);
  return {
    sim,
    baseUrl,
    account,
    client: (extra = {}) =>
      new AbmApiClient({
        clientId: account.clientId,
        keyId: account.keyId,
        privateKey: account.privateKey,
        baseUrl,
        tokenUrl: `${baseUrl}/auth/oauth2/token`,
        userAgent: 'abmkit-api-tests/1',
        retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 20, jitter: false },
        now: () => sim.clock.now(),
        sleep: async (ms) => sim.clock.advance(ms),
        ...extra,
      }),
    tokenRequests: () => sim.requests.filter((r) => r.path === '/auth/oauth2/token').length,
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
