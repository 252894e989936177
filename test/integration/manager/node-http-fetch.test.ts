/**
 * A manager whose clients share one `nodeHttpFetch()`: several tokens sync over real loopback
 * HTTP (login, account, fetch, assignment, then a no-change sync) on shared keep-alive
 * connections.
 */
import { describe, expect, it } from 'vitest';
import { AbmManager, MemoryStorage, nodeHttpFetch, profilePreset } from '../../../src/index.js';
import { createDepSimulator } from '../../../src/testing/index.js';

describe('AbmManager with nodeHttpFetch()', () => {
  it('syncs and assigns three tokens, then finds nothing new', async () => {
    const sim = createDepSimulator({ devices: 150, seed: 5 });
    const url = await sim.listen();
    const fetch = nodeHttpFetch();
    const manager = new AbmManager({
      storage: new MemoryStorage({ encryptionKey: Buffer.alloc(32, 3) }),
      baseUrl: url,
      pageSize: 100,
      telemetry: false,
      fetch,
    });
    try {
      const ids = ['a', 'b', 'c'];
      for (const id of ids) {
        const pem = await manager.createKeyPair(id, { customerId: id });
        await manager.uploadServerToken(id, (await sim.issueServerToken(pem)).file);
      }
      const client = await manager.client('a');
      const profile = (
        await client.defineProfile(
          profilePreset('automated', { name: 'All', url: 'https://m.example/e' }),
        )
      ).profile_uuid;
      const all = {
        ios: profile,
        ipados: profile,
        macos: profile,
        tvos: profile,
        visionos: profile,
        watchos: profile,
      };
      for (const id of ids) await manager.setPolicy(id, { osDefaults: all });
      const first = await Promise.all(ids.map((id) => manager.syncNow(id)));
      for (const r of first) {
        expect(r).toMatchObject({ status: 'completed', fullFetch: true, unassigned: 0 });
        expect(r.devices.added).toBe(150);
      }
      expect(first.reduce((n, r) => n + r.profiles.assigned, 0)).toBeGreaterThan(0);
      const again = await manager.syncNow('a');
      expect(again).toMatchObject({ status: 'completed', fullFetch: false });
      expect(again.devices.added).toBe(0);
    } finally {
      await manager.stop();
      fetch.close();
      await sim.close();
    }
  });
});
