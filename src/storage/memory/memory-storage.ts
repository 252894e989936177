import type { StorageCapabilities } from '../types.js';
import { MemoryApiAccountStore } from './api-accounts.js';
import type { Change } from './state.js';
import { StateStorage, type StateStorageOptions } from './state-storage.js';

/** Options of {@link MemoryStorage}. */
export interface MemoryStorageOptions extends StateStorageOptions {}

/**
 * Keeps everything in this process's memory: for tests, demos and short-lived processes. Data is
 * lost when the process exits; leases only exclude callers within this process. Secrets are still
 * sealed (pass `encryptionKey`, or `allowPlaintextSecrets: true` for tests).
 */
export class MemoryStorage extends StateStorage {
  /** {@inheritDoc AbmStorage.capabilities} */
  readonly capabilities: StorageCapabilities = Object.freeze({
    crossProcessLeases: false,
    atomicPageApply: true,
    ttl: false,
    persistent: false,
  });

  /** Business API accounts and token → server links, kept beside the tokens. */
  readonly apiAccounts: MemoryApiAccountStore;

  constructor(options: MemoryStorageOptions = {}) {
    super(options);
    this.apiAccounts = new MemoryApiAccountStore(this.secrets, () => this.nowMs());
  }

  /** @internal */
  protected async persist(_changes: readonly Change[]): Promise<void> {}

  /** {@inheritDoc AbmStorage.close} */
  async close(): Promise<void> {}
}
