import { InvalidArgumentError } from '../../errors/index.js';
import { apiAccountTests } from './group-api-accounts.js';
import { concurrencyTests } from './group-concurrency.js';
import { edgeTests } from './group-edges.js';
import { hardeningTests } from './group-hardening.js';
import { leaseTests } from './group-leases.js';
import { pageTests } from './group-pages.js';
import { queryTests } from './group-queries.js';
import { runBracketTests } from './group-run-bracket.js';
import { tokenTests } from './group-tokens.js';
import { testKey, withStore } from './helpers.js';
import type { SuiteContext } from './suite-context.js';
import type { ConformanceRunner, StorageConformanceOptions, StorageFactory } from './types.js';

function globalRunner(): ConformanceRunner | undefined {
  const g = globalThis as { describe?: unknown; it?: unknown };
  if (typeof g.describe === 'function' && typeof g.it === 'function') {
    return {
      describe: g.describe as ConformanceRunner['describe'],
      it: g.it as ConformanceRunner['it'],
    };
  }
  return undefined;
}

/**
 * Declares the storage conformance suite for one adapter: every `AbmStorage` method, tenant
 * isolation, leases and fencing (racing owners, stale generations, expiry take-over), cursor
 * compare-and-set, atomic page apply under an injected crash, the `op_date` rule, secrets at
 * rest (a canary secret's plaintext never appears in `rawDump()`), key rotation and many
 * concurrent writers.
 *
 * Call it at the top level of a test file. Each test gets a fresh store from `factory` and calls
 * `cleanup()` afterwards. The suite uses `node:assert`, so only `describe`/`it` are needed: pass
 * them as `options.runner` (e.g. `import * as vitest from 'vitest'`) or rely on globals. Nothing
 * here imports a test runner.
 *
 * @example
 * ```ts
 * import * as vitest from 'vitest';
 * import { describeStorageConformance } from 'abmkit/testing';
 * describeStorageConformance('MyStorage', async (ctx) => {
 *   const storage = new MyStorage({ ...ctx });
 *   return { storage, rawDump: () => storage.dumpEverything(), cleanup: () => storage.dropAll() };
 * }, { runner: vitest });
 * ```
 */
export function describeStorageConformance(
  name: string,
  factory: StorageFactory,
  options: StorageConformanceOptions = {},
): void {
  const runner = options.runner ?? globalRunner();
  if (runner === undefined) {
    throw new InvalidArgumentError(
      'describeStorageConformance needs a test runner: pass `{ runner: { describe, it } }` (e.g. `import * as vitest from "vitest"`) or enable globals.',
    );
  }
  const timeout = options.timeoutMs ?? 20_000;
  const ctx: SuiteContext = {
    describe: runner.describe,
    it: (testName, fn) => runner.it(testName, fn, timeout),
    factory,
    run: (fn, context) => withStore(factory, context ?? { encryptionKey: testKey() }, fn),
    shortTtlMs: options.shortTtlMs ?? 150,
  };
  runner.describe(`${name} (storage conformance)`, () => {
    tokenTests(ctx);
    leaseTests(ctx);
    pageTests(ctx);
    queryTests(ctx);
    runBracketTests(ctx);
    concurrencyTests(ctx);
    edgeTests(ctx);
    if (options.apiAccounts !== false) apiAccountTests(ctx);
    hardeningTests(ctx);
  });
}
