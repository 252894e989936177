import type { FaultInjection } from '../../storage/fault-injection.js';
import type { EncryptionKeyOption } from '../../storage/secrets/key-provider.js';
import type { AbmStorage } from '../../storage/types.js';

/** A test function as vitest, jest or mocha take it. */
export type ConformanceTestFn = () => Promise<void> | void;

/** The parts of a test runner the suite uses (vitest's or jest's `describe`/`it` fit). */
export interface ConformanceRunner {
  /** Declares a group. */
  describe: (name: string, fn: () => void) => void;
  /** Declares a test; `timeout` in ms. */
  it: (name: string, fn: ConformanceTestFn, timeout?: number) => void;
}

/** What the suite asks the factory for, per test. */
export interface StorageFactoryContext {
  /** The key to construct the store with (absent: a store without a key). */
  encryptionKey?: EncryptionKeyOption | undefined;
  /** Pass through to the store's `allowPlaintextSecrets`. */
  allowPlaintextSecrets?: boolean | undefined;
  /** Pass through to the store's `faultInjection` (crash injection between writes). */
  faultInjection?: FaultInjection | undefined;
}

/** A fresh, empty store made by the factory, with access to its raw bytes. */
export interface StorageHarness {
  /** The store under test. */
  storage: AbmStorage;
  /**
   * Everything the store has persisted, as text or bytes (files' contents, SQL rows as text,
   * Redis values): the suite checks that secrets' plaintext never appears in it.
   */
  rawDump(): Promise<string | Uint8Array>;
  /**
   * Optional: a second store over the SAME data (another replica/process), constructed with
   * `context`. Enables the multi-instance tests.
   */
  openPeer?: ((context: StorageFactoryContext) => Promise<AbmStorage>) | undefined;
  /** Releases everything (drop schema, delete keys, remove directory, close stores). */
  cleanup(): Promise<void>;
}

/** Makes a fresh, empty store for one test. */
export type StorageFactory = (context: StorageFactoryContext) => Promise<StorageHarness>;

/** Options of `describeStorageConformance`. */
export interface StorageConformanceOptions {
  /**
   * The runner's `describe`/`it` (e.g. `import * as vitest from 'vitest'`). Defaults to the
   * global `describe`/`it` (vitest `globals: true`, jest, mocha).
   */
  runner?: ConformanceRunner | undefined;
  /** Lease TTL used by expiry tests, in ms (default 150). Raise it for slow remote stores. */
  shortTtlMs?: number | undefined;
  /** Per-test timeout in ms (default 20,000). */
  timeoutMs?: number | undefined;
  /**
   * Run the Business API account tests (`storage.apiAccounts`). Every built-in adapter has it;
   * pass `false` for an adapter that does not store API accounts. @default true
   */
  apiAccounts?: boolean | undefined;
}
