import type {
  AssignmentRetryRecord,
  CursorPhase,
  DeviceStatus,
  RunEndCursor,
} from '../storage/types.js';
import type { SyncApi } from './client-port.js';
import type { ManagerContext } from './context.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { SkippedRecord } from './page-guard.js';
import type { PlanPolicy } from './plan-devices.js';
import type { RunTally } from './run-tally.js';
import type { SyncReport } from './types.js';

/** Everything one sync run of one token carries around. @internal */
export interface RunState {
  readonly ctx: ManagerContext;
  readonly tokenId: string;
  readonly lease: LeaseKeeper;
  readonly api: SyncApi;
  readonly policy: PlanPolicy;
  /**
   * The token's retry queue, by serial, kept up to date as results are recorded; read from the
   * store the first time the run plans ({@link RunState.retriesPending}, `run-retries.ts`).
   */
  readonly retries: Map<string, AssignmentRetryRecord>;
  /** The store's retry queue has entries `retries` does not hold yet. */
  retriesPending: boolean;
  /** The counters that become the report. */
  readonly counts: RunCounts;
  /** What the run found that an admin must fix (reported in health). */
  readonly notes: RunNotes;
  /** Serial numbers received in this run (progress counts devices, not records). */
  readonly seen: Set<string>;
  /** Live devices held when the run started (what a full fetch should deliver), or `null`. */
  readonly expectedTotal: number | null;
  /**
   * The token held no device record at all when the run started: under the run's lease, the
   * only stored devices are then those of the pages this run applied (`seen`).
   */
  readonly startedEmpty: boolean;
  /**
   * With {@link RunState.startedEmpty}: what the run's pages wrote, so that its end reports the
   * device counts and unresolved devices without reading them back (`run-tally.ts`); else `null`.
   */
  readonly tally: RunTally | null;
  /**
   * Whether the run wrote a device record (a page with devices, plans, assignments, removals).
   * A run that wrote none reports the device counts and unresolved devices read when it began.
   */
  wroteDevices: boolean;
  /**
   * The cursor of the run's last page when it held no device: written with the run's end (one
   * round trip less) instead of on its own. Only where the store's `endSyncRun` writes it.
   */
  endCursor?: RunEndCursor | undefined;
}

/** Problems found during a run, for the token's health. @internal */
export interface RunNotes {
  /** Records of Apple's pages that could not be stored (skipped, the rest of the page stored). */
  skipped: SkippedRecord[];
  /** Profiles Apple does not know, with the reason shown on their devices. */
  missingProfiles: Map<string, string>;
  /** Devices the policy gives no profile after a completed run (counted up to 100), with an example. */
  unresolved?: { count: number; serialNumber: string; reason: string } | undefined;
}

/** Empty notes. @internal */
export function newNotes(): RunNotes {
  return { skipped: [], missingProfiles: new Map() };
}

/** Mutable counters of a run. @internal */
export interface RunCounts {
  pages: number;
  devicesSeen: number;
  fullFetch: boolean;
  phase: CursorPhase | null;
  added: number;
  modified: number;
  removed: number;
  assigned: number;
  failed: number;
  throttled: number;
  notAccessible: number;
  unassigned: number;
  invalid: number;
}

/** Fresh counters. @internal */
export function newCounts(): RunCounts {
  return {
    pages: 0,
    devicesSeen: 0,
    fullFetch: false,
    phase: null,
    added: 0,
    modified: 0,
    removed: 0,
    assigned: 0,
    failed: 0,
    throttled: 0,
    notAccessible: 0,
    unassigned: 0,
    invalid: 0,
  };
}

/** Builds the public report from the counters. @internal */
export function buildReport(input: {
  tokenId: string;
  runId: string | null;
  status: SyncReport['status'];
  skipped?: SyncReport['skipped'];
  counts: RunCounts;
  totals: Record<DeviceStatus, number> | null;
  /** When the run started, from the manager's clock. */
  startedAt: string;
  /** `performance.now()` at the start: durations are measured on the monotonic clock. */
  startedMs: number;
  error?: { code: string; message: string } | null;
  invalidRecords?: readonly SkippedRecord[] | undefined;
}): SyncReport {
  const c = input.counts;
  return {
    tokenId: input.tokenId,
    runId: input.runId,
    status: input.status,
    skipped: input.skipped ?? null,
    phase: c.phase,
    fullFetch: c.fullFetch,
    pages: c.pages,
    devices: { added: c.added, modified: c.modified, removed: c.removed, invalid: c.invalid },
    profiles: {
      assigned: c.assigned,
      failed: c.failed,
      throttled: c.throttled,
      notAccessible: c.notAccessible,
    },
    unassigned: c.unassigned,
    totals: input.totals,
    startedAt: input.startedAt,
    durationMs: Math.max(0, Math.round(performance.now() - input.startedMs)),
    error: input.error ?? null,
    invalidRecords: (input.invalidRecords ?? []).slice(0, 20),
  };
}
