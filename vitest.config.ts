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
    // Timeouts catch hangs, not slowness: CPU-bound tests (fuzzing, RSA-4096, child processes) take
    // 3–9 s on a loaded 2-core machine with a second copy of the suite beside them, and one took
    // 30 s there. Nothing asserts on elapsed time.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // expect.poll waits for a condition (a page render, a background write); its 1 s default
    // failed once in the console test at load average 18. A poll that never succeeds still
    // fails, after 60 s.
    expect: { poll: { timeout: 60_000 } },
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
