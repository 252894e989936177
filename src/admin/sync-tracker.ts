import type { AbmManager } from '../manager/abm-manager.js';
import type { SyncReport } from '../manager/types.js';

/** The state of a token's sync as the admin API reports it. @internal */
export interface SyncState {
  tokenId: string;
  running: boolean;
  runId: string | null;
  pages: number;
  devices: number;
  phase: 'full' | 'sync' | null;
  report: {
    status: SyncReport['status'];
    skipped: string | null;
    pages: number;
    added: number;
    modified: number;
    removed: number;
    assigned: number;
    failed: number;
    throttled: number;
    unassigned: number;
    durationMs: number;
    error: { code: string; message: string } | null;
  } | null;
}

type Listener = (state: SyncState) => void;

/** The secret-free summary of a sync report. @internal */
export function reportView(r: SyncReport): NonNullable<SyncState['report']> {
  return {
    status: r.status,
    skipped: r.skipped,
    pages: r.pages,
    added: r.devices.added,
    modified: r.devices.modified,
    removed: r.devices.removed,
    assigned: r.profiles.assigned,
    failed: r.profiles.failed,
    throttled: r.profiles.throttled,
    unassigned: r.unassigned,
    durationMs: r.durationMs,
    error: r.error === null ? null : { code: r.error.code, message: r.error.message },
  };
}

/**
 * Follows the manager's sync events per token (runs started here, by the schedule or by another
 * caller) and starts Sync Now runs without starting a second one while one is in flight.
 * @internal
 */
export class SyncTracker {
  readonly #states = new Map<string, SyncState>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #unsubscribe: (() => void)[];
  readonly #manager: AbmManager;

  constructor(manager: AbmManager) {
    this.#manager = manager;
    this.#unsubscribe = [
      manager.on('sync.started', (e) =>
        this.#set(e.tokenId, {
          running: true,
          runId: e.runId,
          pages: 0,
          devices: 0,
          phase: e.fullFetch ? 'full' : 'sync',
          report: null,
        }),
      ),
      manager.on('sync.progress', (e) =>
        this.#set(e.tokenId, { running: true, pages: e.pages, devices: e.devices, phase: e.phase }),
      ),
      manager.on('sync.completed', (e) =>
        this.#set(e.tokenId, { running: false, report: reportView(e.report) }),
      ),
      manager.on('sync.failed', (e) =>
        this.#set(e.tokenId, { running: false, report: reportView(e.report) }),
      ),
    ];
  }

  /** The current state of the token's sync. */
  state(tokenId: string): SyncState {
    return (
      this.#states.get(tokenId) ?? {
        tokenId,
        running: false,
        runId: null,
        pages: 0,
        devices: 0,
        phase: null,
        report: null,
      }
    );
  }

  /** Starts a run unless one started here is in flight; resolves once it started. */
  start(tokenId: string): SyncState {
    const current = this.state(tokenId);
    if (current.running) return current;
    this.#set(tokenId, {
      running: true,
      runId: null,
      pages: 0,
      devices: 0,
      phase: null,
      report: null,
    });
    void this.#manager.syncNow(tokenId).then(
      (report) => this.#set(tokenId, { running: false, report: reportView(report) }),
      (error: unknown) =>
        this.#set(tokenId, {
          running: false,
          report: {
            status: 'failed',
            skipped: null,
            pages: 0,
            added: 0,
            modified: 0,
            removed: 0,
            assigned: 0,
            failed: 0,
            throttled: 0,
            unassigned: 0,
            durationMs: 0,
            error: {
              code: (error as { code?: string }).code ?? 'UNKNOWN',
              message: error instanceof Error ? error.message : 'sync failed',
            },
          },
        }),
    );
    return this.state(tokenId);
  }

  /** Calls `listener` on every change of the token's state; returns the unsubscribe function. */
  subscribe(tokenId: string, listener: Listener): () => void {
    let set = this.#listeners.get(tokenId);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(tokenId, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Stops following the manager's events. */
  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#listeners.clear();
  }

  #set(tokenId: string, patch: Partial<SyncState>): void {
    const next = { ...this.state(tokenId), ...patch, tokenId };
    this.#states.set(tokenId, next);
    for (const listener of [...(this.#listeners.get(tokenId) ?? [])]) listener(next);
  }
}
