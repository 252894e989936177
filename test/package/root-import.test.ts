/**
 * Importing the root entry loads no zod (issue #13: zod was about half of the import time);
 * abmkit builds its schemas on first use. Each case imports one built entry in a fresh Node
 * process and lists every module it loaded: ES modules through a resolve hook, CommonJS (and
 * `require()` of ES modules) through the require cache. Runs against dist/, so `npm test` builds
 * first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');

/** Records every resolved URL; importing `loaded-modules:` answers the list so far. */
const HOOKS = `
const seen = [];
export async function resolve(specifier, context, next) {
  if (specifier === 'loaded-modules:') {
    const list = 'export default ' + JSON.stringify(seen) + ';';
    return { url: 'data:text/javascript,' + encodeURIComponent(list), shortCircuit: true };
  }
  const result = await next(specifier, context);
  seen.push(result.url);
  return result;
}`;

/** The files a fresh Node process has loaded once `entry` is imported. */
function loadedBy(entry: string): string[] {
  const probe = `
import { createRequire, register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
await import(${JSON.stringify(pathToFileURL(join(repo, entry)).href)});
const { default: esm } = await import('loaded-modules:');
const cjs = Object.keys(createRequire(${JSON.stringify(pathToFileURL(join(repo, 'package.json')).href)}).cache);
console.log(JSON.stringify([...esm, ...cjs]));
`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: repo,
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

const isZod = (file: string) => /[/\\]node_modules[/\\]zod[/\\]/.test(file);

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does this).');
  }
});

describe('importing the built package', () => {
  it('loads no zod for the root entry', () => {
    const loaded = loadedBy('dist/index.js');
    expect(loaded.some((f) => f.endsWith('/dist/index.js'))).toBe(true);
    expect(loaded.filter(isZod)).toEqual([]);
  });

  it('loads zod for abmkit/schemas (the probe sees it)', () => {
    expect(loadedBy('dist/schemas/index.js').some(isZod)).toBe(true);
  });

  it('builds abmkit/schemas with the zod a concurrent import of zod gives', () => {
    const code = `
const [schemas, { z }] = await Promise.all([
  import(${JSON.stringify(pathToFileURL(join(repo, 'dist/schemas/index.js')).href)}),
  import('zod'),
]);
console.log(schemas.adeDeviceSchema instanceof z.ZodObject && schemas.adeDeviceSchema.constructor === z.ZodObject);
`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('true');
  });
});
