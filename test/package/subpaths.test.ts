import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/internal/version.js';
import { entries } from '../../tsup.config.js';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  version: string;
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
};
const typedoc = JSON.parse(readFileSync(new URL('typedoc.json', root), 'utf8')) as {
  entryPoints: string[];
};

describe('package shape', () => {
  it('has one set of public subpaths across tsup entries, the exports map and typedoc', () => {
    const binEntries = new Set(
      Object.values(pkg.bin).map((p) => p.replace(/^\.\/dist\//, '').replace(/\.js$/, '')),
    );
    const libraryEntries = Object.entries(entries).filter(([name]) => !binEntries.has(name));
    const fromTsup = libraryEntries.map(([, src]) => src).sort();
    const fromTypedoc = [...typedoc.entryPoints].sort();
    expect(fromTypedoc).toEqual(fromTsup);

    const fromExports = Object.entries(pkg.exports)
      .filter(([key]) => key !== './package.json')
      .map(([key, target]) => {
        expect(typeof target).toBe('object');
        const t = target as { types: string; default: string };
        expect(Object.keys(t)[0]).toBe('types');
        expect(key).not.toContain('*');
        return t.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '');
      })
      .sort();
    expect(fromExports).toEqual(libraryEntries.map(([name]) => name).sort());
  });

  it('keeps the User-Agent version in step with package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });
});
