import { LeaseLostError } from '../../errors/index.js';
import type { LeaseFence } from '../types.js';
import { type Change, MemoryState } from './state.js';

/** What an in-process adapter does around each write (nothing in memory; a journal on disk). @internal */
export interface StateHooks {
  /** Makes `changes` durable before they are applied. */
  persist(changes: readonly Change[]): Promise<void>;
  /** Called before each operation (FileStorage opens its directory on first use). */
  ready?(): Promise<void>;
  /** Called under the mutex after changes were applied (FileStorage compacts its journal). */
  afterApply?(): Promise<void>;
}

/** A copy that shares nothing with the state. @internal */
export const clone = <T>(v: T): T => structuredClone(v);

/**
 * The transaction core of the in-process adapters (`MemoryStorage`, `FileStorage`): one
 * {@link MemoryState}, a mutex, and the rule that every write computes a list of changes,
 * persists it (`hooks.persist`) and only then applies it, so each call is all-or-nothing.
 * @internal
 */
export class StateCore {
  /** The data (replaced once by FileStorage when it loads its directory). */
  state = new MemoryState();
  readonly #clock: () => number;
  readonly #hooks: StateHooks;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(clock: () => number, hooks: StateHooks) {
    this.#clock = clock;
    this.#hooks = hooks;
  }

  /** Runs `fn` exclusively; its returned changes are persisted then applied. */
  exclusive<T>(fn: () => Promise<{ changes: Change[]; result: T }>): Promise<T> {
    const run = this.#queue.then(async () => {
      await this.#hooks.ready?.();
      const { changes, result } = await fn();
      if (changes.length > 0) {
        await this.#hooks.persist(changes);
        this.state.apply(changes);
        await this.#hooks.afterApply?.();
      }
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** A write of the changes `fn` returns, with `fn`'s second value as the result. */
  write<T>(fn: () => [Change[], T]): Promise<T> {
    return this.exclusive(async () => {
      const [changes, result] = fn();
      return { changes, result };
    });
  }

  /** Reads under the mutex (consistent with writes in flight). */
  read<T>(fn: (state: MemoryState) => T): Promise<T> {
    return this.exclusive(async () => ({ changes: [], result: fn(this.state) }));
  }

  /** Waits for every queued operation (before closing). */
  drain(): Promise<unknown> {
    return this.#queue;
  }

  /** The clock, in epoch ms. */
  nowMs(): number {
    return this.#clock();
  }

  /** The clock, as ISO text. */
  nowIso(): string {
    return new Date(this.#clock()).toISOString();
  }

  /** Throws `LeaseLostError` unless `fence` names the live lease (and its owner, if given). */
  checkFence(fence: LeaseFence): void {
    const lease = this.state.leases.get(fence.tokenId);
    if (
      lease === undefined ||
      lease.owner === null ||
      lease.generation !== fence.generation ||
      (fence.owner !== undefined && lease.owner !== fence.owner) ||
      lease.expiresAtMs <= this.nowMs()
    ) {
      throw new LeaseLostError(fence.tokenId);
    }
  }
}
