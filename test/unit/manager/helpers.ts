import {
  AbmManager,
  type AbmManagerOptions,
  MemoryStorage,
  profilePreset,
} from '../../../src/index.js';
import type { AbmStorage } from '../../../src/storage/types.js';
import {
  createDepSimulator,
  type DepSimulator,
  type DepSimulatorOptions,
} from '../../../src/testing/index.js';

/** A 32-byte test key for the secrets-at-rest layer. */
export const TEST_KEY = Buffer.alloc(32, 7);

/** A simulator listening on loopback, plus a manager wired to it. */
export interface Harness {
  sim: DepSimulator;
  url: string;
  storage: AbmStorage;
  manager: AbmManager;
  close(): Promise<void>;
}

export async function startSimulator(
  options: DepSimulatorOptions = {},
): Promise<{ sim: DepSimulator; url: string }> {
  const sim = createDepSimulator({ devices: 50, seed: 7, ...options });
  const url = await sim.listen();
  return { sim, url };
}

/** Fast client retries so that failure paths stay quick. */
export const FAST_RETRY = { limit: 1, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5 } as const;

export async function harness(
  simOptions: DepSimulatorOptions = {},
  managerOptions: Partial<AbmManagerOptions> = {},
  storage: AbmStorage = new MemoryStorage({ encryptionKey: TEST_KEY }),
): Promise<Harness> {
  const { sim, url } = await startSimulator(simOptions);
  const manager = new AbmManager({
    storage,
    baseUrl: url,
    userAgent: 'abmkit-tests/1.0',
    retry: FAST_RETRY,
    telemetry: false,
    ...managerOptions,
  });
  return {
    sim,
    url,
    storage,
    manager,
    close: async () => {
      await manager.stop();
      await sim.close();
    },
  };
}

/** createKeyPair → simulator issues a token → upload. */
export async function enroll(
  h: { sim: DepSimulator; manager: AbmManager },
  tokenId: string,
  options: { customerId?: string; siteId?: string; expiresAt?: Date } = {},
): Promise<string> {
  const certificatePem = await h.manager.createKeyPair(tokenId, {
    ...(options.customerId === undefined ? {} : { customerId: options.customerId }),
    ...(options.siteId === undefined ? {} : { siteId: options.siteId }),
    name: `server ${tokenId}`,
  });
  const issued = await h.sim.issueServerToken(
    certificatePem,
    options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt },
  );
  await h.manager.uploadServerToken(tokenId, issued.file);
  return issued.consumerKey;
}

/** Defines an automated profile on the simulator through the manager's client. */
export async function defineProfile(
  manager: AbmManager,
  tokenId: string,
  name: string,
): Promise<string> {
  const client = await manager.client(tokenId);
  const created = await client.defineProfile(
    profilePreset('automated', { name, url: 'https://mdm.example.com/enroll' }),
  );
  return created.profile_uuid;
}

/** Sum of serials sent to assign-profile, from the simulator's request log. */
export function assignedSerialCount(sim: DepSimulator): number {
  return sim.requests
    .filter((r) => r.endpoint === 'assignProfile')
    .reduce((sum, r) => sum + (r.serialsIn ?? 0), 0);
}

/** A platform mix of one platform only. */
export function only(platform: 'iPhone' | 'iPad' | 'Mac' | 'AppleTV'): Record<string, number> {
  return { iPhone: 0, iPad: 0, Mac: 0, AppleTV: 0, Vision: 0, Watch: 0, [platform]: 1 };
}
