/**
 * Every runnable example in examples/ runs to completion against the built package
 * (`abmkit` resolves to dist/ through the package's own exports map), as a reader would run it.
 * examples/demo.ts is the main job (`npm run demo`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const examples: Record<string, RegExp> = {
  'quick-start.ts': /status: 'valid'/,
  'client-sync.ts': /stored cursor/,
  'profiles-policy.ts': /os-default|device|group/,
  'manager-multi-tenant.ts': /enrolls into customer/,
  'enrollment-endpoint.ts':
    /old-OS device: 403 → 200[\s\S]*status history: unassigned → assigned → pushed → profile-served → enrolled/,
  'demo.ts': /Summary[\s\S]*total[\s\S]*Token acme-hq: valid/,
  'simulator-control.ts': /after 8 days: completed, full fetch true[\s\S]*renewal accepted/,
  'assign-by-csv.ts': /ADE sync sees 3 of 3 assigned devices/,
  'admin-handler.ts':
    /without authorization: 403[\s\S]*same pair: true[\s\S]*sync: completed[\s\S]*unassigned: \d+ ×/,
};

describe('examples', () => {
  for (const [file, expected] of Object.entries(examples)) {
    it(`runs examples/${file}`, () => {
      expect(existsSync(join(repo, 'dist', 'index.js'))).toBe(true);
      const out = execFileSync(process.execPath, ['--import', 'tsx', join('examples', file)], {
        cwd: repo,
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toMatch(expected);
    });
  }
});
