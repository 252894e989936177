import { defineConfig } from 'vitest/config';

// The example runs against the built package (`abmkit` resolves to ./dist through the
// package's own exports map), exactly as an embedder's project would.
export default defineConfig({
  test: {
    include: ['examples/embedder-vitest/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
