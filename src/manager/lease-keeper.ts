import { isAbmError, LeaseLostError } from '../errors/index.js';
import { timerDelayMs } from '../internal/duration.js';
import type { LeaseFence, LeaseGrant } from '../storage/types.js';
import type { ManagerContext } from './context.js';

/**
 * Holds one token's sync lease for the length of a run: renews it every `ttl / 3`, and on a
 * failed renewal aborts the run (`signal`) and reports `lease.lost` once. Writes made under the
 * lease pass {@link LeaseKeeper.fence}; the store refuses them once the lease is gone.
 * @internal
 */
export class LeaseKeeper {
  readonly #ctx: ManagerContext;
  readonly #controller = new AbortController();
  #grant: LeaseGrant;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lost = false;
  #released = false;

  private constructor(ctx: ManagerContext, grant: LeaseGrant, parent: AbortSignal | undefined) {
    this.#ctx = ctx;
    this.#grant = grant;
    if (parent !== undefined) {
      if (parent.aborted) this.#controller.abort(parent.reason);
      else
        parent.addEventListener('abort', () => this.#controller.abort(parent.reason), {
          once: true,
        });
    }
    this.#schedule();
  }

  /** Holds a lease just taken (by `beginSyncRun`): reports it and starts renewing it. */
  static hold(
    ctx: ManagerContext,
    grant: LeaseGrant,
    parent: AbortSignal | undefined,
  ): LeaseKeeper {
    const { tokenId } = grant;
    ctx.events.emit('lease.acquired', { tokenId, lease: grant });
    ctx.logger.debug(
      { event: 'lease.acquired', tokenId, generation: grant.generation },
      'abmkit: sync lease acquired',
    );
    return new LeaseKeeper(ctx, grant, parent);
  }

  /** The lease to release with the run's end (`endSyncRun`), or none when it was lost. */
  get held(): { owner: string; generation: number } | undefined {
    return this.#lost || this.#released
      ? undefined
      : { owner: this.#grant.owner, generation: this.#grant.generation };
  }

  /** Stops renewing before the run's end releases the lease (no renewal races the release). */
  stopRenewing(): void {
    this.#clear();
  }

  /** Records that the run's end released the lease (a later {@link release} does nothing). */
  markReleased(): void {
    this.#released = true;
    this.#clear();
  }

  /** The fence to pass with every write. */
  get fence(): LeaseFence {
    return {
      tokenId: this.#grant.tokenId,
      generation: this.#grant.generation,
      owner: this.#grant.owner,
    };
  }

  /** Aborted when the run must stop: lease lost, or the manager stopping. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the lease was lost. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Records that the lease is gone (a renewal or a fenced write failed): stop the run. */
  markLost(error?: unknown): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#clear();
    const { tokenId } = this.#grant;
    this.#ctx.events.emit('lease.lost', { tokenId, lease: this.#grant });
    this.#ctx.logger.warn(
      { event: 'lease.lost', tokenId, generation: this.#grant.generation },
      'abmkit: sync lease lost; stopping this run (another replica continues)',
    );
    this.#controller.abort(isAbmError(error, 'LEASE_LOST') ? error : new LeaseLostError(tokenId));
  }

  /** Stops renewing and releases the lease (if still held). */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#clear();
    if (this.#lost) return;
    const { tokenId, generation } = this.#grant;
    await this.#ctx.storage.releaseLease(tokenId, this.#ctx.owner, generation).catch((error) => {
      this.#ctx.logger.warn({ tokenId, err: error }, 'abmkit: releasing the sync lease failed');
    });
  }

  #clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const every = timerDelayMs(Math.max(10, this.#ctx.config.leaseTtlMs / 3));
    this.#timer = setTimeout(() => void this.#renew(), every);
    this.#timer.unref?.();
  }

  async #renew(): Promise<void> {
    this.#timer = undefined;
    if (this.#lost || this.#released) return;
    const { tokenId, generation } = this.#grant;
    try {
      this.#grant = await this.#ctx.storage.renewLease(
        tokenId,
        this.#ctx.owner,
        generation,
        this.#ctx.config.leaseTtlMs,
      );
      if (!this.#released) this.#schedule();
    } catch (error) {
      if (this.#released) return;
      // Any failed renewal means we can no longer prove we hold the lease: stop working.
      this.markLost(error);
    }
  }
}
