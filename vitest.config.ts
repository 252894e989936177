import { defineConfig } from 'vitest/config';

/**
 * Pure modules (no I/O, no clock) must stay fully covered: the coverage run in `npm test`
 * fails if any of these drops below 100%.
 */
const PURE_MODULES = [
  'src/profiles/resolve-profile.ts',
  'src/profiles/compile-policy.ts',
  'src/profiles/plan-assignments.ts',
  'src/profiles/validate-policy.ts',
  'src/profiles/device-os.ts',
  'src/auth/oauth1.ts',
  'src/crypto/lib/rsa-unpad.ts',
  'src/pagination/device-pages.ts',
];

const FULL = { branches: 100, functions: 100, lines: 100, statements: 100 };

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
      ignoreSourceErrors: true,
    },
    coverage: {
      provider: 'v8',
      include: PURE_MODULES,
      reporter: ['text'],
      thresholds: Object.fromEntries(PURE_MODULES.map((file) => [file, FULL])),
    },
  },
});
