import { defineConfig } from 'tsup';

/**
 * One entry per public subpath. The keys here, the `exports` map in package.json and the
 * typedoc entry points are checked to be one set by `test/package/subpaths.test.ts`.
 */
export const entries: Record<string, string> = {
  index: 'src/index.ts',
  'schemas/index': 'src/schemas/index.ts',
  'testing/index': 'src/testing/index.ts',
  'storage/postgres/index': 'src/storage/postgres/index.ts',
  'storage/redis/index': 'src/storage/redis/index.ts',
  'cli/simulator': 'src/cli/simulator.ts',
  'enrollment/index': 'src/enrollment/index.ts',
  'api/index': 'src/api/index.ts',
  'admin/index': 'src/admin/index.ts',
  'cli/abmkit': 'src/cli/abmkit.ts',
};

export default defineConfig({
  entry: entries,
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  tsconfig: 'tsconfig.build.json',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  // Optional peers: never bundled, loaded only by the subpath or feature that needs them.
  external: ['pg', 'ioredis', 'msw', '@opentelemetry/api'],
  // The admin console page (plain HTML + JS) is bundled into the CLI as text.
  loader: { '.html': 'text' },
});
