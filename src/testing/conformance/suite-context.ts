import type { EncryptionKeyOption } from '../../storage/secrets/key-provider.js';
import type { ConformanceTestFn, StorageFactory, StorageHarness } from './types.js';

/** What each test group receives. @internal */
export interface SuiteContext {
  /** Declares a test. */
  it: (name: string, fn: ConformanceTestFn) => void;
  /** Declares a group. */
  describe: (name: string, fn: () => void) => void;
  /** The adapter factory. */
  factory: StorageFactory;
  /** Runs `fn` on a fresh store with a fresh key (or the given context). */
  run: (
    fn: (h: StorageHarness) => Promise<void>,
    context?: { encryptionKey?: EncryptionKeyOption; allowPlaintextSecrets?: boolean },
  ) => Promise<void>;
  /** Short lease TTL for expiry tests. */
  shortTtlMs: number;
}
