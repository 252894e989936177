import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../src/testing/simulator/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('msw stays optional', () => {
  it('no simulator module imports msw at load time (only `import type` and a lazy import)', () => {
    const offenders = sources(ROOT).filter((file) => {
      const text = readFileSync(file, 'utf8');
      return (
        /^\s*import\s+(?!type\b)[^;]*from\s+['"]msw(\/[^'"]*)?['"]/m.test(text) ||
        /^\s*export\s+[^;]*from\s+['"]msw/m.test(text) ||
        /(?<!typeof )import\(\s*['"]msw/.test(text)
      );
    });
    expect(offenders).toEqual([]);
    expect(sources(ROOT).length).toBeGreaterThan(10);
  });
});
