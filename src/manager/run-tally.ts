import { applyPlan, emptyCounts, upsertDevice } from '../domain/devices.js';
import type { AdeDevice } from '../schemas/device.js';
import type {
  ApplyPageResult,
  AssignmentResultInput,
  DeviceRecord,
  DeviceSummary,
  PagePlanEntry,
} from '../storage/types.js';

/**
 * Past this many devices a run stops tallying and reads its summary back: the tally keeps a
 * small record per device until the run ends, and one read more is nothing beside a large first
 * sync's page writes.
 */
const MAX_TALLIED = 20_000;

/**
 * The device counts and unresolved devices of a token that held no device record when its run
 * began. Under the run's lease the token's records are then what the run's pages wrote, so the
 * run reports them from what it wrote, by the rules the stores apply (`upsertDevice`,
 * `applyPlan`), instead of reading them back after its last page: one statement (one Redis
 * command, one composed read) less per first sync. A device write it does not follow
 * ({@link RunTally.invalidate}) sends the run back to reading them. Writes outside the lease
 * during the run (an enrollment, an admin's edit) are in the store's counts from the next run
 * on. @internal
 */
export class RunTally {
  /** The records as written, with only the fields their status and plan need. */
  readonly #records = new Map<string, DeviceRecord>();
  #valid = true;

  /** Whether {@link RunTally.summary} can be used. */
  get valid(): boolean {
    return this.#valid;
  }

  /** A device write the tally does not follow happened: the summary must be read back. */
  invalidate(): void {
    this.#valid = false;
    this.#records.clear();
  }

  /**
   * Follows one `applyPage` of `devices` (the page collapsed to one entry per serial, as the
   * stores apply it: `collapsePage`) with `plans`, as the store applied it (`result`).
   */
  page(
    devices: readonly AdeDevice[],
    plans: readonly PagePlanEntry[],
    result: ApplyPageResult,
  ): void {
    if (!this.#valid) return;
    const planOf = new Map<string, PagePlanEntry>();
    for (const p of plans) planOf.set(p.serialNumber, p);
    const skipped = result.skipped.length === 0 ? null : new Set(result.skipped);
    const ctx = { tokenId: '', nowIso: '', fullFetchId: undefined };
    for (const device of devices) {
      const serial = device.serial_number;
      if (skipped?.has(serial)) continue;
      const { next } = upsertDevice(this.#records.get(serial), device, ctx);
      if (next === null) continue;
      applyPlan(next, planOf.get(serial));
      // Only what the status needs of Apple's record: the rest of it is not kept.
      next.device = { serial_number: serial, profile_status: next.device.profile_status };
      this.#records.set(serial, next);
    }
    if (this.#records.size > MAX_TALLIED) this.invalidate();
  }

  /** Follows `recordAssignmentResults`: a `SUCCESS` sets a device's assigned profile. */
  results(results: readonly AssignmentResultInput[]): void {
    if (results.some((r) => r.status === 'SUCCESS')) this.invalidate();
  }

  /** The counts per status and the unresolved devices (counted up to 100, the first by serial). */
  summary(): DeviceSummary {
    const counts = emptyCounts();
    let unresolved = 0;
    let first: DeviceRecord | null = null;
    for (const r of this.#records.values()) {
      counts[r.status] += 1;
      if (r.removed || r.resolvedProfileUuid !== null) continue;
      unresolved += 1;
      if (first === null || r.serialNumber < first.serialNumber) first = r;
    }
    return {
      counts,
      unresolved: {
        count: Math.min(unresolved, 100),
        first:
          first === null
            ? null
            : { serialNumber: first.serialNumber, unassignedReason: first.unassignedReason },
      },
    };
  }
}
