import { createHash } from 'node:crypto';
import { timerDelayMs } from '../internal/duration.js';
import type { AbmLogger } from '../internal/logger.js';

/** What the scheduler needs from the manager. @internal */
export interface SchedulerHost {
  /** Every token id to schedule. */
  listTokenIds(): Promise<string[]>;
  /** One run of one token; must not throw (failures are in the run's report). */
  run(tokenId: string, signal: AbortSignal): Promise<unknown>;
  logger: AbmLogger;
}

/** Scheduler settings. @internal */
export interface SchedulerConfig {
  intervalMs: number;
  jitter: number;
  staggerMs: number;
  concurrency: number;
}

/** A stable fraction in [0, 1) per token, so that its place in the stagger survives restarts. */
function spread(tokenId: string): number {
  return createHash('sha256').update(tokenId).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The periodic schedule: one self-rescheduling `setTimeout` per token (never `setInterval`,
 * which overlaps slow runs), first runs staggered over a window, every interval jittered, at
 * most `concurrency` runs in flight, a token never overlapping itself, every timer `unref()`ed,
 * and a periodic re-listing that picks up new tokens and drops deleted ones.
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
    this.#arm(tokenId, Math.floor(spread(tokenId) * this.#config.staggerMs));
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
      for (const id of ids) {
        if (first) this.#arm(id, Math.floor(spread(id) * this.#config.staggerMs));
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

  #nextDelay(): number {
    const { intervalMs, jitter } = this.#config;
    return Math.max(0, Math.round(intervalMs * (1 + (Math.random() * 2 - 1) * jitter)));
  }

  #enqueue(tokenId: string): void {
    if (this.#stopped || this.#queued.has(tokenId)) return;
    if (this.#running.has(tokenId)) {
      // Never overlap a token with itself: skip this tick, try again next interval.
      this.#arm(tokenId, this.#nextDelay());
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
        .catch((error: unknown) => {
          this.#host.logger.error({ tokenId, err: error }, 'abmkit: scheduled sync run crashed');
        })
        .finally(() => {
          this.#running.delete(tokenId);
          this.#arm(tokenId, this.#nextDelay());
          this.#pump();
        });
      this.#running.set(
        tokenId,
        done.then(() => undefined),
      );
    }
  }
}
