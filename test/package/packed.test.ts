/**
 * The built package, packed as npm would publish it, imported the way consumers do:
 * ESM `import`, CommonJS `require` (Node ≥ 20.19 loads ESM through require), and a
 * TypeScript consumer type-checked against the shipped declarations.
 * Runs against dist/, so `npm test` builds first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
// Inside the repo so that abmkit's own dependencies resolve from the repo's node_modules.
const work = join(repo, '.tmp', `packed-${process.pid}`);
const consumer = join(work, 'consumer');

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does this).');
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(consumer, 'node_modules', 'abmkit'), { recursive: true });
  run('npm', ['pack', '--silent', '--pack-destination', work], repo);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  run(
    'tar',
    [
      '-xzf',
      join(work, tarball),
      '-C',
      join(consumer, 'node_modules', 'abmkit'),
      '--strip-components=1',
    ],
    repo,
  );
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true }),
  );
}, 180_000); // npm pack and tar: real child-process work, slow when the machine is loaded

afterAll(() => rmSync(work, { recursive: true, force: true }));

const quickStart = (load: string) => `
${load}
const { privateKeyPem, certificatePem } = await abm.generateKeyPair({ commonName: 'packed-test' });
const file = await testing.encryptServerToken({
  consumerKey: 'CK_packed', consumerSecret: 'CS_packed_secret', accessToken: 'AT_packed_token',
  accessSecret: 'AS_packed_secret', accessTokenExpiry: new Date('2030-01-01T00:00:00Z'),
}, certificatePem);
const token = await abm.decryptServerToken(file, privateKeyPem);
const health = abm.tokenHealth(token, { now: new Date('2029-12-15T00:00:00Z') });
console.log(JSON.stringify({
  consumerKey: token.consumerKey,
  secretOk: token.accessSecret === 'AS_packed_secret',
  printed: String(JSON.stringify(token)).includes('secret'),
  health: health.status,
  client: typeof abm.AbmClient,
  error: new abm.TokenDecryptError('x') instanceof abm.AbmError,
}));
`;

const expected = {
  consumerKey: 'CK_packed',
  secretOk: true,
  printed: false,
  health: 'renew-soon',
  client: 'function',
  error: true,
};

describe('packed package', () => {
  it('runs the quick start through ESM import', () => {
    writeFileSync(
      join(consumer, 'esm.mjs'),
      quickStart(`import * as abm from 'abmkit';\nimport * as testing from 'abmkit/testing';`),
    );
    const out = run(process.execPath, ['esm.mjs'], consumer);
    expect(JSON.parse(out.trim())).toEqual(expected);
  });

  it('runs the quick start through CommonJS require', () => {
    writeFileSync(
      join(consumer, 'cjs.cjs'),
      `(async () => {\n${quickStart(`const abm = require('abmkit');\nconst testing = require('abmkit/testing');`)}\n})().catch((e) => { console.error(e); process.exit(1); });`,
    );
    const out = run(process.execPath, ['--no-warnings', 'cjs.cjs'], consumer);
    expect(JSON.parse(out.trim())).toEqual(expected);
  });

  it('loads every public subpath without optional drivers being required at import', () => {
    writeFileSync(
      join(consumer, 'subpaths.mjs'),
      `const names = ['abmkit', 'abmkit/schemas', 'abmkit/testing', 'abmkit/storage/postgres', 'abmkit/storage/redis', 'abmkit/enrollment'];
const out = {};
for (const n of names) out[n] = Object.keys(await import(n)).length > 0;
console.log(JSON.stringify(out));`,
    );
    const out = JSON.parse(run(process.execPath, ['subpaths.mjs'], consumer).trim()) as Record<
      string,
      boolean
    >;
    expect(out).toEqual({
      abmkit: true,
      'abmkit/schemas': true,
      'abmkit/testing': true,
      'abmkit/storage/postgres': true,
      'abmkit/storage/redis': true,
      'abmkit/enrollment': true,
    });
  });

  // Real tsc work: with skipLibCheck off, tsc checks every declaration the consumer loads (abmkit's,
  // zod's, @types/node): about 5 s on an idle core, and several times that while another suite
  // shares the machine's two cores. The timeout covers that work with room; the test itself does
  // nothing time-dependent. `lib: ['es2022']` (a Node consumer needs no DOM types) cuts a quarter.
  it('type-checks a TypeScript consumer against the shipped declarations', {
    timeout: 180_000,
  }, () => {
    writeFileSync(
      join(consumer, 'consumer.ts'),
      `import { AbmClient, decryptServerToken, isAbmError, type ServerToken } from 'abmkit';
export async function load(file: string, key: string): Promise<ServerToken> {
  try { return await decryptServerToken(file, key); }
  catch (err) { if (isAbmError(err, 'TOKEN_DECRYPT_FAILED')) throw new Error(err.code); throw err; }
}
export type Client = AbmClient;
// Every public subpath's declarations must type-check for a strict consumer (skipLibCheck: false)
// that has none of the optional peers (msw, pg, ioredis, @opentelemetry/api) installed.
export type Subpaths = [
  typeof import('abmkit/schemas'),
  typeof import('abmkit/testing'),
  typeof import('abmkit/storage/postgres'),
  typeof import('abmkit/storage/redis'),
  typeof import('abmkit/api'),
  typeof import('abmkit/enrollment'),
  typeof import('abmkit/admin'),
];
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer);
    } catch (err) {
      output = String((err as { stdout?: unknown }).stdout ?? err);
    }
    expect(output).toBe('');
    // tsc over every subpath's declarations is real work: minutes on a loaded 2-core machine.
  });
});
