import { timerDelayMs } from '../internal/duration.js';
import type { AbmLogger } from '../internal/logger.js';
import { nextOnGrid, phaseMs } from './schedule-slots.js';

/**
 * How a scheduled run ended, as far as the schedule cares: `ran` (this replica synced the
 * token), `lease-held` (another replica was syncing it) or `skipped` (anything else).
 * @internal
 */
export type ScheduledRunOutcome = 'ran' | 'lease-held' | 'skipped';

/** What the scheduler needs from the manager. @internal */
export interface SchedulerHost {
  /** Every token id to schedule. */
  listTokenIds(): Promise<string[]>;
  /** One run of one token; must not throw (failures are in the run's report). */
  run(tokenId: string, signal: AbortSignal): Promise<ScheduledRunOutcome>;
  logger: AbmLogger;
}

/** Scheduler settings. @internal */
export interface SchedulerConfig {
  intervalMs: number;
  /** The replica window, a fraction of the interval (the manager's `jitter`). */
  jitter: number;
  staggerMs: number;
  concurrency: number;
  /** This replica's seed (the manager's owner name): its offsets within the window. */
  seed: string;
  /** The clock of the grid, epoch ms (the manager's clock). */
  now(): number;
}

/**
 * The periodic schedule: one self-rescheduling `setTimeout` per token (never `setInterval`,
 * which overlaps slow runs), at most `concurrency` runs in flight, a token never overlapping
 * itself, every timer `unref()`ed, and a periodic re-listing that picks up new tokens and drops
 * deleted ones.
 *
 * Runs fall on a wall-clock grid shared by every replica: each token has a slot in the cycle (a
 * hash of its id), and each replica runs it at that slot plus its own offset within the replica
 * window (a hash of the seed and the token id). So for every token one replica comes first and
 * syncs it, and the others come later in the window and find it recently synced, rather than
 * all replicas reaching for the same lease at once; which replica comes first differs from
 * token to token, so the work spreads over the replicas. A replica that found the token's lease
 * held stands by for it (comes late in the cycle) until it runs the token itself again, so a
 * collision does not repeat every cycle. First runs after `start()` are the grid's distance
 * scaled into `staggerMs`; later runs come at the next grid point at least half an interval on.
 * @internal
 */
export class Scheduler {
  readonly #host: SchedulerHost;
  readonly #config: SchedulerConfig;
  readonly #controller = new AbortController();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #standby = new Set<string>();
  #discovery: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(host: SchedulerHost, config: SchedulerConfig) {
    this.#host = host;
    this.#config = config;
  }

  /** Lists tokens and schedules their first runs. */
  async start(): Promise<void> {
    await this.#discover(true);
  }

  /** Schedules a token that appeared after start (e.g. just uploaded). */
  add(tokenId: string): void {
    if (this.#stopped || this.#timers.has(tokenId) || this.#running.has(tokenId)) return;
    this.#arm(tokenId, this.#firstDelay(tokenId));
  }

  /** Stops scheduling, aborts runs in flight and waits for them to wind down. */
  async stop(reason?: unknown): Promise<void> {
    this.#stopped = true;
    if (this.#discovery !== undefined) clearTimeout(this.#discovery);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queue.length = 0;
    this.#queued.clear();
    this.#controller.abort(reason);
    await Promise.allSettled([...this.#running.values()]);
  }

  /** Token ids with a run in flight. */
  get running(): readonly string[] {
    return [...this.#running.keys()];
  }

  async #discover(first: boolean): Promise<void> {
    if (this.#stopped) return;
    try {
      const ids = await this.#host.listTokenIds();
      const live = new Set(ids);
      for (const [id, timer] of this.#timers) {
        if (!live.has(id)) {
          clearTimeout(timer);
          this.#timers.delete(id);
        }
      }
      for (const id of this.#standby) if (!live.has(id)) this.#standby.delete(id);
      for (const id of ids) {
        if (first) this.#arm(id, this.#firstDelay(id));
        else this.add(id);
      }
    } catch (error) {
      this.#host.logger.warn({ err: error }, 'abmkit: listing tokens for the schedule failed');
    }
    if (this.#stopped) return;
    this.#discovery = setTimeout(
      () => void this.#discover(false),
      timerDelayMs(this.#config.intervalMs),
    );
    this.#discovery.unref?.();
  }

  #arm(tokenId: string, delayMs: number): void {
    if (this.#stopped) return;
    const existing = this.#timers.get(tokenId);
    if (existing !== undefined) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.#timers.delete(tokenId);
      this.#enqueue(tokenId);
    }, timerDelayMs(delayMs)); // a delay past ~24.8 days would make Node fire after 1 ms
    timer.unref?.();
    this.#timers.set(tokenId, timer);
  }

  #phase(tokenId: string): number {
    const { intervalMs, jitter, seed } = this.#config;
    return phaseMs({
      tokenId,
      seed,
      intervalMs,
      window: jitter,
      standby: this.#standby.has(tokenId),
    });
  }

  /** The distance to this replica's next grid point for the token, scaled into the stagger. */
  #firstDelay(tokenId: string): number {
    const { intervalMs, staggerMs } = this.#config;
    const now = this.#config.now();
    const until = nextOnGrid(now, this.#phase(tokenId), intervalMs) - now;
    return Math.floor(until * (staggerMs / intervalMs));
  }

  /** The delay to this replica's next grid point for the token, at least half an interval on. */
  #nextDelay(tokenId: string): number {
    const { intervalMs } = this.#config;
    const now = this.#config.now();
    return Math.ceil(nextOnGrid(now + intervalMs / 2, this.#phase(tokenId), intervalMs) - now);
  }

  #enqueue(tokenId: string): void {
    if (this.#stopped || this.#queued.has(tokenId)) return;
    if (this.#running.has(tokenId)) {
      // Never overlap a token with itself: skip this tick, try again next interval.
      this.#arm(tokenId, this.#nextDelay(tokenId));
      return;
    }
    this.#queued.add(tokenId);
    this.#queue.push(tokenId);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.#config.concurrency) {
      const tokenId = this.#queue.shift();
      if (tokenId === undefined) return;
      this.#queued.delete(tokenId);
      const done = this.#host
        .run(tokenId, this.#controller.signal)
        .then((outcome) => {
          // Another replica holds the lease: the token is done for this cycle, and this replica
          // stands by for it until it runs it itself again.
          if (outcome === 'lease-held') this.#standby.add(tokenId);
          else if (outcome === 'ran') this.#standby.delete(tokenId);
        })
        .catch((error: unknown) => {
          this.#host.logger.error({ tokenId, err: error }, 'abmkit: scheduled sync run crashed');
        })
        .finally(() => {
          this.#running.delete(tokenId);
          this.#arm(tokenId, this.#nextDelay(tokenId));
          this.#pump();
        });
      this.#running.set(
        tokenId,
        done.then(() => undefined),
      );
    }
  }
}
