import type { StorageBaseOptions } from '../storage-base.js';
import { StorageBase } from '../storage-base.js';
import type { StorageCapabilities } from '../types.js';
import { MemoryApiAccountDocs, MemoryApiAccountStore } from './api-accounts.js';
import { InProcessAdapter } from './in-process-adapter.js';
import type { MemoryState } from './state.js';
import { StateCore } from './state-core.js';

/** Options of {@link MemoryStorage}. */
export interface MemoryStorageOptions extends StorageBaseOptions {
  /** Clock in epoch ms for every stamp and lease expiry (tests); default `Date.now`. */
  clock?: (() => number) | undefined;
}

const CAPABILITIES: StorageCapabilities = Object.freeze({
  crossProcessLeases: false,
  atomicPageApply: true,
  ttl: false,
  persistent: false,
});

/**
 * Keeps everything in this process's memory: for tests, demos and short-lived processes. Data is
 * lost when the process exits; leases only exclude callers within this process. Secrets are still
 * sealed (pass `encryptionKey`, or `allowPlaintextSecrets: true` for tests).
 */
export class MemoryStorage extends StorageBase {
  /** Business API accounts and token → server links, kept beside the tokens. */
  declare readonly apiAccounts: MemoryApiAccountStore;
  readonly #core: StateCore;

  constructor(options: MemoryStorageOptions = {}) {
    const clock = options.clock ?? Date.now;
    const core = new StateCore(clock, { persist: async () => {} });
    const docs = new MemoryApiAccountDocs();
    super(new InProcessAdapter(core, CAPABILITIES, docs), { ...options, clock });
    this.#core = core;
    Object.defineProperty(this, 'apiAccounts', {
      value: new MemoryApiAccountStore(this.secrets, clock, docs),
      enumerable: true,
    });
  }

  /** The data, as held (for tests that inspect it). @internal */
  protected get state(): MemoryState {
    return this.#core.state;
  }
}
