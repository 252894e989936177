import { LegacyStorageBase } from '../legacy-storage-base.js';
import type { StorageBaseOptions } from '../storage-base.js';

export type { FaultInjection, FaultInjectionOptions } from '../fault-injection.js';

import type { FaultInjection, FaultInjectionOptions } from '../fault-injection.js';

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
