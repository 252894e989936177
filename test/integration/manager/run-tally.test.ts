import { afterAll, describe, expect, it } from 'vitest';
import { collapsePage } from '../../../src/domain/devices.js';
import { RunTally } from '../../../src/manager/run-tally.js';
import type { AdeDevice } from '../../../src/schemas/device.js';
import type { AbmStorage, PagePlanEntry } from '../../../src/storage/types.js';
import { mulberry32 as rng } from '../../support/seeded-random.js';
import { fileKind, memoryKind, postgresKind, redisKind, type StoreKind } from './stores.js';

// A first sync reports the device counts and unresolved devices from what it wrote (RunTally)
// instead of reading them back. These tests hold the tally to what each store holds after the
// same pages: random pages (seeded; the seed is in every failure message) over a small set of
// serials, so that serials repeat across pages, older op_dates are skipped, devices are deleted
// and re-added, and plans come with and without a successful assignment.

const kinds: StoreKind[] = [memoryKind(), fileKind(), await postgresKind(), await redisKind()];
afterAll(async () => {
  for (const k of kinds) await k.dispose();
});

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** One random page of `size` entries over `universe` serials, with plans for some of them. */
function randomPage(
  r: () => number,
  universe: number,
  size: number,
): { devices: AdeDevice[]; plans: PagePlanEntry[] } {
  const devices: AdeDevice[] = [];
  const plans: PagePlanEntry[] = [];
  for (let i = 0; i < size; i++) {
    const serial = `S${String(Math.floor(r() * universe)).padStart(3, '0')}`;
    const opType = pick(r, ['added', 'modified', 'deleted', undefined] as const);
    const day = 1 + Math.floor(r() * 9);
    const device: AdeDevice = {
      serial_number: serial,
      model: 'iPhone',
      ...(opType === undefined ? {} : { op_type: opType }),
      ...(r() < 0.9 ? { op_date: `2026-01-0${day}T00:00:00Z` } : {}),
    };
    const status = pick(r, ['empty', 'assigned', 'pushed', undefined] as const);
    if (status !== undefined) device.profile_status = status;
    devices.push(device);
    if (r() < 0.6) {
      const resolved = r() < 0.7 ? pick(r, ['P1', 'P2']) : null;
      const plan: PagePlanEntry = {
        serialNumber: serial,
        resolvedProfileUuid: resolved,
        unassignedReason: resolved === null ? pick(r, ['no profile', 'no OS default']) : null,
        planRevision: 1,
      };
      if (resolved !== null && r() < 0.5) {
        plan.assignedProfileUuid = resolved;
        plan.assignedAt = '2026-01-10T00:00:00.000Z';
      }
      plans.push(plan);
    }
  }
  return { devices, plans };
}

/** What the store holds, as the summary a run reads back. */
async function stored(storage: AbmStorage, tokenId: string) {
  const counts = await storage.countDevices(tokenId);
  const unresolved = await storage.listDevices(tokenId, { unresolved: true, limit: 100 });
  const first = unresolved.items[0];
  return {
    counts,
    unresolved: {
      count: unresolved.items.length,
      first:
        first === undefined
          ? null
          : { serialNumber: first.serialNumber, unassignedReason: first.unassignedReason },
    },
  };
}

for (const kind of kinds) {
  describe.skipIf(!kind.available)(`RunTally on ${kind.name}`, () => {
    it('reports what the store holds after the same pages (seeded random pages)', async () => {
      const storage = await kind.open('tally');
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const r = rng(seed);
        const tokenId = `tally-${seed}`;
        const grant = await storage.acquireLease(tokenId, 'owner', 60_000);
        if (grant === null) throw new Error('test setup: the lease is held');
        const fence = { tokenId, generation: grant.generation, owner: 'owner' };
        const tally = new RunTally();
        let cursor: string | null = null;
        for (let p = 0; p < 8; p++) {
          const { devices, plans } = randomPage(r, 30, 1 + Math.floor(r() * 12));
          const result = await storage.applyPage({
            ...fence,
            expectedCursor: cursor,
            nextCursor: `c${p}`,
            phase: 'sync',
            devices,
            plans,
          });
          cursor = result.cursor.cursor;
          tally.page(collapsePage(devices), plans, result);
        }
        expect(tally.valid, `seed ${seed}`).toBe(true);
        expect(tally.summary(), `${kind.name}, seed ${seed}`).toEqual(
          await stored(storage, tokenId),
        );
      }
      await storage.close();
    });
  });
}

describe('RunTally', () => {
  it('gives up on a write it does not follow, and on a successful result recorded apart', () => {
    const tally = new RunTally();
    tally.page([{ serial_number: 'A' }], [], {
      added: ['A'],
      modified: [],
      removed: [],
      skipped: [],
      cursor: {} as never,
    });
    expect(tally.summary().counts.unassigned).toBe(1);
    tally.results([{ serialNumber: 'A', profileUuid: 'P', status: 'THROTTLED' }]);
    expect(tally.valid).toBe(true);
    tally.results([{ serialNumber: 'A', profileUuid: 'P', status: 'SUCCESS' }]);
    expect(tally.valid).toBe(false);
    const other = new RunTally();
    other.invalidate();
    other.page([{ serial_number: 'B' }], [], {
      added: ['B'],
      modified: [],
      removed: [],
      skipped: [],
      cursor: {} as never,
    });
    expect(other.valid).toBe(false);
  });

  it('stops tallying past its bound (the run reads its summary back)', () => {
    const tally = new RunTally();
    const devices = Array.from({ length: 20_001 }, (_, i) => ({ serial_number: `S${i}` }));
    tally.page(devices, [], {
      added: [],
      modified: [],
      removed: [],
      skipped: [],
      cursor: {} as never,
    });
    expect(tally.valid).toBe(false);
  });
});
