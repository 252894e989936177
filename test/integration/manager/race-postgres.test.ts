import { afterAll, describe, expect, it } from 'vitest';
import { AbmManager, profilePreset, type SyncReport } from '../../../src/index.js';
import { createDepSimulator, type DepSimulator } from '../../../src/testing/index.js';
import { postgresKind } from './stores.js';

const kind = await postgresKind();
afterAll(() => kind.dispose());

const TOKENS = 8;
const INTERVAL = 700;

describe.skipIf(!kind.available)('two AbmManager replicas racing on one PostgreSQL', () => {
  it('sync every token once per cycle, never together, and never assign a serial twice', async () => {
    const sims: DepSimulator[] = [];
    const storageA = await kind.open('race');
    const storageB = await kind.open('race');
    const options = {
      syncIntervalMs: INTERVAL,
      staggerMs: 0,
      jitter: 0,
      concurrency: 3,
      leaseTtlMs: 5_000,
      // One page per full fetch (120 devices), so one fetchDevices request per token.
      pageSize: 1000,
      telemetry: false as const,
    };
    const a = new AbmManager({ storage: storageA, owner: 'replica-a', ...options });
    const b = new AbmManager({ storage: storageB, owner: 'replica-b', ...options });
    try {
      // One simulated ABM server per token, so that each token's devices and requests are separate.
      for (let i = 0; i < TOKENS; i++) {
        const sim = createDepSimulator({ devices: 120, seed: 500 + i });
        sims.push(sim);
        const url = await sim.listen();
        const pem = await a.createKeyPair(`tok-${i}`, { baseUrl: url });
        await a.uploadServerToken(`tok-${i}`, (await sim.issueServerToken(pem)).file);
        const client = await a.client(`tok-${i}`);
        const profile = (
          await client.defineProfile(
            profilePreset('automated', { name: 'All', url: 'https://m.example/e' }),
          )
        ).profile_uuid;
        await a.setPolicy(`tok-${i}`, {
          osDefaults: { ios: profile, macos: profile, tvos: profile, visionos: profile },
        });
      }

      const intervals: { tokenId: string; owner: string; start: number; end: number }[] = [];
      const starts = new Map<string, number>();
      const reports: SyncReport[] = [];
      let stopping = false;
      for (const [m, owner] of [
        [a, 'replica-a'],
        [b, 'replica-b'],
      ] as const) {
        m.on('lease.acquired', (e) => void starts.set(`${owner}:${e.tokenId}`, performance.now()));
        const end = (e: { tokenId: string; report: SyncReport }) => {
          // A run still in flight when stop() is called ends 'aborted' by design.
          if (!(stopping && e.report.status === 'aborted')) reports.push(e.report);
          const start = starts.get(`${owner}:${e.tokenId}`) ?? Number.NaN;
          intervals.push({ tokenId: e.tokenId, owner, start, end: performance.now() });
        };
        m.on('sync.completed', end);
        m.on('sync.failed', end);
      }

      // Run until at least 3.5 cycles passed AND every token completed two runs: on a loaded
      // machine a run can outlast a cycle, so a fixed sleep could see fewer runs than planned.
      // The test timeout bounds the wait.
      const began = performance.now();
      const ended = (tokenId: string) => intervals.filter((x) => x.tokenId === tokenId).length;
      await Promise.all([a.start(), b.start()]);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, INTERVAL / 2));
        const enough = Array.from({ length: TOKENS }, (_, i) => ended(`tok-${i}`) >= 2);
        if (performance.now() - began >= INTERVAL * 3.5 && enough.every(Boolean)) break;
      }
      stopping = true;
      await Promise.all([a.stop(), b.stop()]);
      const cycles = (performance.now() - began) / INTERVAL;

      expect(
        reports.filter((r) => r.status !== 'completed').map((r) => [r.tokenId, r.status, r.error]),
      ).toEqual([]);
      for (let i = 0; i < TOKENS; i++) {
        const tokenId = `tok-${i}`;
        const mine = intervals
          .filter((x) => x.tokenId === tokenId)
          .sort((x, y) => x.start - y.start);
        // Synced in (about) every cycle, by exactly one replica at a time.
        expect(mine.length).toBeGreaterThanOrEqual(2);
        expect(mine.length).toBeLessThanOrEqual(Math.ceil(cycles) + 1);
        for (let j = 1; j < mine.length; j++) {
          expect(mine[j]!.start).toBeGreaterThanOrEqual(mine[j - 1]!.end - 1);
          // Once per cycle across both replicas (a replica skips what the other just did).
          expect(mine[j]!.start - mine[j - 1]!.start).toBeGreaterThan(INTERVAL * 0.45);
        }
        const sim = sims[i]!;
        // One full fetch in total, and each serial assigned exactly once.
        expect(sim.counters.byEndpoint['fetchDevices']).toBe(1);
        const sent = sim.requests
          .filter((r) => r.endpoint === 'assignProfile')
          .reduce((n, r) => n + (r.serialsIn ?? 0), 0);
        expect(sent).toBe(120);
        const counts = await storageA.countDevices(tokenId);
        expect(counts.assigned + counts.pushed).toBe(120);
      }
      // Work spreads across the replicas.
      expect(new Set(intervals.map((x) => x.owner))).toEqual(new Set(['replica-a', 'replica-b']));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      for (const sim of sims) await sim.close();
    }
  });
});
