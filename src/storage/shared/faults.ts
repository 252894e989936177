import { LegacyStorageBase } from '../legacy-storage-base.js';
import type { StorageBaseOptions } from '../storage-base.js';

/**
 * Test-only fault injection: `betweenWrites` runs inside an atomic operation after the device
 * writes were prepared (or issued, inside a database transaction) and before the cursor/commit.
 * Throwing from it simulates a crash at the worst moment; the store must then show neither the
 * devices nor the cursor move (or, for a non-atomic adapter, at least not the cursor).
 */
export interface FaultInjection {
  /** Called between the two writes of `operation` (`'applyPage'`) for `tokenId`. */
  betweenWrites?: ((operation: 'applyPage', tokenId: string) => void | Promise<void>) | undefined;
}

/** Adapter options carrying a {@link FaultInjection} (for tests and the conformance suite). */
export interface FaultInjectionOptions {
  /** See {@link FaultInjection}. Never set this in production. */
  faultInjection?: FaultInjection | undefined;
}

/**
 * {@link LegacyStorageBase} plus the fault-injection hook: the compatibility base of the
 * PostgreSQL and Redis adapters until they move to `StorageAdapter`. @internal
 */
export abstract class FaultableStorage extends LegacyStorageBase {
  readonly #faults: FaultInjection | undefined;

  constructor(options: StorageBaseOptions & FaultInjectionOptions = {}) {
    super(options);
    this.#faults = options.faultInjection;
  }

  /** Runs the injected fault, if any. */
  protected async injectFault(operation: 'applyPage', tokenId: string): Promise<void> {
    await this.#faults?.betweenWrites?.(operation, tokenId);
  }
}
