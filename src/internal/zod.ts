import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as zod from 'zod';

/** The `z` namespace of zod 4, as abmkit builds its schemas with it. @internal */
export type Zod = typeof zod.z;

let loaded: Zod | undefined;

/**
 * zod, loaded on first use: importing abmkit does not load it (zod is about half of the import
 * time), and option checks in constructors need it synchronously, so it is loaded with
 * `require()`. Node ≥ 20.19 and ≥ 22.12 load an ES module through `require()`, and share the
 * instance with `import`: requiring zod's ES module entry (as `import 'zod'` resolves it) gives
 * the same zod a caller imports, so `abmkit/schemas` hands out schemas of the caller's zod.
 * Should that fail (a runtime without `require()` of ES modules, or zod still being imported
 * asynchronously at that very moment), zod's CommonJS build is loaded instead: a second copy,
 * but one that validates the same way.
 * @internal
 */
export function loadZod(): Zod {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    let mod: typeof zod;
    try {
      mod = require(fileURLToPath(import.meta.resolve('zod'))) as typeof zod;
    } catch {
      mod = require('zod') as typeof zod;
    }
    loaded = mod.z;
  }
  return loaded;
}

/**
 * A value built with zod on first use, then kept: `lazy((z) => z.object({ … }))` returns a
 * function that builds the schema (loading zod) the first time it is called. Building a zod
 * schema compiles it, so each one is built once.
 * @internal
 */
export function lazy<T>(build: (z: Zod) => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build(loadZod()) };
    return built.value;
  };
}
