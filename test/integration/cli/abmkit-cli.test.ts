import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDepSimulator, type DepSimulator } from '../../../src/testing/index.js';
import { shouldRun } from '../storage/services.js';
import { CLI, type CliResult, runCli } from './run-cli.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgUp = await shouldRun('PostgreSQL', DATABASE_URL, 5432);

/** A one-line error on stderr, naming the code; never a stack trace. */
function oneLineError(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^abmkit: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

interface Backend {
  name: string;
  store: () => string;
  setUp: () => Promise<void>;
  tearDown: () => Promise<void>;
}

const schema = `abmkit_cli_${randomBytes(4).toString('hex')}`;
let fileDir = '';
const backends: Backend[] = [
  {
    name: 'file storage',
    store: () => `file:${fileDir}`,
    setUp: async () => {
      fileDir = await mkdtemp(join(tmpdir(), 'abmkit-cli-store-'));
    },
    tearDown: async () => {
      await rm(fileDir, { recursive: true, force: true });
    },
  },
  ...(pgUp
    ? [
        {
          name: 'PostgreSQL',
          store: () => `${DATABASE_URL}?schema=${schema}`,
          setUp: async () => undefined,
          tearDown: async () => {
            const client = new pg.Client({ connectionString: DATABASE_URL });
            await client.connect();
            await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
            await client.end();
          },
        },
      ]
    : []),
];

// Child processes on a loaded 2-core machine: generous per-test time (real work, no margins asserted).
describe('abmkit CLI as child processes', { timeout: 240_000 }, () => {
  describe.each(backends)('abmkit end to end against the simulator with $name', (backend) => {
    let sim: DepSimulator;
    let baseUrl: string;
    let work: string;
    const key = randomBytes(32).toString('hex');
    let env: Record<string, string>;
    const cli = (...args: string[]) => runCli(args, env);

    beforeAll(async () => {
      await backend.setUp();
      sim = createDepSimulator({ devices: 300, seed: 1616 });
      baseUrl = await sim.listen();
      work = await mkdtemp(join(tmpdir(), 'abmkit-cli-'));
      env = { ABMKIT_STORE: backend.store(), ABMKIT_KEY: key, ABMKIT_BASE_URL: baseUrl };
    });

    afterAll(async () => {
      await sim?.close();
      await rm(work, { recursive: true, force: true });
      await backend.tearDown();
    });

    it('keygen → token upload → profile define → sync → devices → lookup → policy → doctor', async () => {
      const cert = join(work, 'cert.pem');
      const keygen = await cli(
        'keygen',
        'acme-hq',
        '--customer',
        'acme',
        '--site',
        'hq',
        '--out',
        cert,
      );
      expect(keygen.code, keygen.stderr).toBe(0);
      expect(keygen.stdout).toContain('abmkit token upload acme-hq');
      const issued = await sim.issueServerToken(await readFile(cert, 'utf8'));
      const p7m = join(work, issued.filename);
      await writeFile(p7m, issued.file);

      const upload = await cli('token', 'upload', 'acme-hq', p7m);
      expect(upload.code, upload.stderr).toBe(0);
      expect(upload.stdout).toMatch(/^Token acme-hq uploaded: valid, expires \d{4}-/);

      const list = await cli('token', 'list', '--json');
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({
          tokenId: 'acme-hq',
          customerId: 'acme',
          siteId: 'hq',
          status: 'valid',
        }),
      ]);
      const table = await cli('token', 'list', '--customer', 'acme');
      expect(table.stdout).toMatch(/^TOKEN\s+CUSTOMER\s+SITE\s+STATUS/);
      expect((await cli('token', 'list', '--customer', 'other', '--json')).stdout.trim()).toBe(
        '[]',
      );

      const profile = join(work, 'profile.json');
      await writeFile(
        profile,
        JSON.stringify({ profile_name: 'Acme', url: 'https://mdm.acme.example/enroll' }),
      );
      const define = await cli(
        'profile',
        'define',
        'acme-hq',
        '--file',
        profile,
        '--default-for',
        'ios,ipados,macos',
        '--json',
      );
      expect(define.code, define.stderr).toBe(0);
      const uuid = (JSON.parse(define.stdout) as { profileUuid: string }).profileUuid;
      expect(uuid).toMatch(/^[0-9A-F]{32}$/);

      const sync = await cli('sync', 'acme-hq');
      expect(sync.code, sync.stderr).toBe(0);
      // stdout is a pipe here: plain progress lines, then the report with totals.
      expect(sync.stdout).toMatch(
        /^acme-hq: full fetch page 1 · \d+ devices · assigned \d+ · throttled 0$/m,
      );
      expect(sync.stdout).toMatch(/^acme-hq: completed in \d+ ms \(full fetch\): .*; totals /m);

      const show = await cli('token', 'show', 'acme-hq');
      expect(show.stdout).toMatch(/^status\s+valid$/m);
      expect(show.stdout).toMatch(/^linked server\s+\S+/m);
      expect(show.stdout).toMatch(/^last sync\s+\d{4}-/m);

      const devices = await cli('devices', 'acme-hq', '--json');
      const all = JSON.parse(devices.stdout) as {
        serialNumber: string;
        os: string;
        status: string;
        profileUuid: string | null;
      }[];
      expect(all).toHaveLength(300);
      expect(all.filter((d) => d.os === 'iOS').every((d) => d.profileUuid === uuid)).toBe(true);
      const unassigned = JSON.parse(
        (await cli('devices', 'acme-hq', '--status', 'unassigned', '--json')).stdout,
      ) as {
        unassignedReason: string;
      }[];
      expect(unassigned.length).toBeGreaterThan(0);
      expect(unassigned[0]?.unassignedReason).toMatch(/no default profile for (tvOS|visionOS)/);
      const csv = await cli('devices', 'acme-hq', '--csv', '--os', 'macOS');
      expect(csv.stdout.split('\n')[0]).toBe(
        'serialNumber,model,os,status,profileUuid,unassignedReason,description,assetTag,opDate',
      );
      expect(
        csv.stdout
          .trim()
          .split('\n')
          .slice(1)
          .every((l) => l.split(',')[2] === 'macOS'),
      ).toBe(true);

      const serial = all[0]!.serialNumber;
      const lookup = await cli('lookup', serial.toLowerCase());
      expect(lookup.code).toBe(0);
      expect(lookup.stdout).toContain(`${serial}: token acme-hq, customer acme, site hq`);
      oneLineError(await cli('lookup', 'ZZZZZZZZZZZZ'), 1, /DEVICE_NOT_FOUND/);

      const policy = JSON.parse((await cli('policy', 'show', 'acme-hq')).stdout) as {
        osDefaults: Record<string, string>;
      };
      expect(policy.osDefaults).toEqual({ ios: uuid, ipados: uuid, macos: uuid });
      const newPolicy = join(work, 'policy.json');
      await writeFile(
        newPolicy,
        JSON.stringify({
          osDefaults: { ios: uuid, ipados: uuid, macos: uuid, tvos: uuid, visionos: uuid },
        }),
      );
      expect((await cli('policy', 'set', 'acme-hq', '--file', newPolicy)).code).toBe(0);
      const badPolicy = join(work, 'bad-policy.json');
      await writeFile(badPolicy, JSON.stringify({ osDefaults: { android: uuid } }));
      oneLineError(
        await cli('policy', 'set', 'acme-hq', '--file', badPolicy),
        1,
        /^abmkit: error POLICY_INVALID: /,
      );
      await writeFile(badPolicy, '{ nope');
      oneLineError(await cli('policy', 'set', 'acme-hq', '--file', badPolicy), 1, /not valid JSON/);

      // Doctor: everything planned has a default now, but the devices are not re-synced yet.
      const doctor = await cli('doctor', 'acme-hq', '--serial', serial);
      expect([0, 3]).toContain(doctor.code);
      expect(doctor.stdout).toMatch(/✔ acme-hq · token: Token valid/);
      expect(doctor.stdout).toMatch(/tried http:\/\/127\.0\.0\.1:\d+\/session then .*: reachable/);
      expect(doctor.stdout).toContain(`${serial}: `);
      const resync = await cli('sync', '--all', '--json');
      expect(resync.code, resync.stderr).toBe(0);
      expect(JSON.parse(resync.stdout)).toEqual([
        expect.objectContaining({ tokenId: 'acme-hq', status: 'completed' }),
      ]);
      const healthy = await cli('doctor', '--no-probe', '--json');
      expect(healthy.code, healthy.stdout).toBe(0);
      expect(JSON.parse(healthy.stdout)).toMatchObject({ attention: false });
    });

    it('doctor exits 3 when something needs attention (expired token, no default profile)', async () => {
      const cert = join(work, 'old.pem');
      expect(
        (await cli('keygen', 'old-site', '--customer', 'globex', '--site', 'lab', '--out', cert))
          .code,
      ).toBe(0);
      const issued = await sim.issueServerToken(await readFile(cert, 'utf8'), {
        expiresAt: new Date(Date.now() - 3 * 86_400_000),
      });
      const p7m = join(work, 'old.p7m');
      await writeFile(p7m, issued.file);
      // An expired token is refused unless forced (stored here so that doctor can report it).
      const refused = await cli('token', 'upload', 'old-site', p7m);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/already expired/);
      // The advice names the CLI's flag, not the library option.
      expect(refused.stderr).toMatch(/pass --force to store it anyway/);
      expect(refused.stderr).not.toContain('{ force: true }');
      expect((await cli('token', 'upload', 'old-site', p7m, '--force')).code).toBe(0);
      const doctor = await cli('doctor', 'old-site', '--no-probe');
      expect(doctor.code, doctor.stdout + doctor.stderr).toBe(3);
      expect(doctor.stdout).toMatch(/✖ old-site · token: Token expired/);
      expect(doctor.stdout).toMatch(
        /remedy: Regenerate and re-upload the ABM token: abmkit keygen old-site/,
      );
      expect(doctor.stdout).toContain('Needs attention (exit code 3).');
      const json = JSON.parse((await cli('doctor', 'old-site', '--no-probe', '--json')).stdout) as {
        attention: boolean;
      };
      expect(json.attention).toBe(true);
    });

    it('bad input: corrupt .p7m, CSV with invalid rows, wrong and malformed keys — one line, documented exit code', async () => {
      const corrupt = join(work, 'corrupt_smime.p7m');
      await writeFile(corrupt, 'Content-Type: application/pkcs7-mime\n\nnot base64 at all!!');
      oneLineError(
        await cli('token', 'upload', 'acme-hq', corrupt),
        1,
        /^abmkit: error TOKEN_FORMAT_INVALID: /,
      );
      oneLineError(
        await cli('token', 'upload', 'acme-hq', join(work, 'missing.p7m')),
        2,
        /cannot read .*ENOENT/,
      );

      const badCsv = join(work, 'bad.csv');
      const [s1, s2] = sim.devices.serials(2);
      await writeFile(badCsv, `serial\n${s1}\nNOT A SERIAL!\n${s2}\n`);
      oneLineError(
        await cli('assign', 'acme-hq', '--csv', badCsv),
        1,
        /^abmkit: error CSV_INVALID: .*line 3/,
      );
      // A valid CSV without an API account for customer acme: one line saying what to run.
      sim.businessApi.activityLatencyMs = 0;
      const pool = sim.businessApi.addUnassignedDevices(2);
      const fresh = [pool.serialAt(0), pool.serialAt(1)];
      const goodCsv = join(work, 'good.csv');
      await writeFile(goodCsv, `serial\n${fresh.join('\n')}\n${s1}\n${fresh[0]}\n`);
      oneLineError(
        await cli('assign', 'acme-hq', '--csv', goodCsv),
        1,
        /^abmkit: error NOT_FOUND: No Apple Business API account .*customer "acme".*abmkit api-account add /,
      );
      expect(sim.businessApi.orgDevice(fresh[0]!)?.serverId).toBeNull();

      // Store the API account (the simulator serves the Business API on its ADE port).
      const account = sim.businessApi.createAccount();
      const keyFile = join(work, 'api-key.pem');
      await writeFile(keyFile, account.privateKey);
      const add = await cli(
        'api-account',
        'add',
        'acme-api',
        '--client-id',
        account.clientId,
        '--key-id',
        account.keyId,
        '--key-file',
        keyFile,
        '--customer',
        'acme',
        '--api-base-url',
        baseUrl,
      );
      expect(add.code, add.stderr).toBe(0);
      expect(add.stdout).toMatch(/^API account acme-api stored for customer acme/);
      const listed = await cli('api-account', 'list', '--json');
      expect(JSON.parse(listed.stdout)).toEqual([
        expect.objectContaining({ accountId: 'acme-api', customerId: 'acme', status: 'unknown' }),
      ]);

      const assigned = await cli('assign', 'acme-hq', '--csv', goodCsv, '--json');
      expect(assigned.code, assigned.stderr).toBe(0);
      const report = JSON.parse(assigned.stdout) as {
        requested: number;
        assigned: string[];
        alreadyOnServer: string[];
        duplicates: number;
        notFound: string[];
      };
      expect(report.requested).toBe(3);
      expect([...report.assigned].sort()).toEqual([...fresh].sort());
      expect(report.alreadyOnServer).toEqual([s1]);
      expect(report.duplicates).toBe(1);
      expect(report.notFound).toEqual([]);
      const again = await cli('assign', 'acme-hq', '--csv', goodCsv);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(
        /^Assigned 0 of 3 device\(s\) to the MDM server of acme-hq; already there 3/,
      );

      const show = await cli('api-account', 'show', 'acme-api');
      expect(show.stdout).toMatch(/^acme-api: valid$/m);
      for (const r of [add, listed, assigned, again, show]) {
        expect(r.stdout + r.stderr).not.toContain(account.privateKey.split('\n')[1]);
      }
      const missing = await cli('devices-missing', 'acme-hq', '--json');
      expect(missing.code, missing.stderr).toBe(0);
      expect(JSON.parse(missing.stdout)).toEqual([]);
      const synced = await cli('sync', 'acme-hq', '--json');
      expect(synced.code, synced.stderr).toBe(0);
      expect((await cli('lookup', fresh[0]!)).stdout).toContain('acme-hq');
      expect((await cli('api-account', 'remove', 'acme-api')).code).toBe(0);
      oneLineError(await cli('api-account', 'show', 'acme-api'), 1, /^abmkit: error NOT_FOUND: /);

      const malformed = await runCli(['token', 'list'], { ...env, ABMKIT_KEY: 'not-a-key' });
      oneLineError(
        malformed,
        2,
        /ABMKIT_KEY must be 32 bytes written as 64 hex characters or 44 base64 characters/,
      );
      expect(malformed.stderr).not.toContain('not-a-key');
      const otherKey = randomBytes(32).toString('base64');
      const wrong = await runCli(['sync', 'acme-hq'], { ...env, ABMKIT_KEY: otherKey });
      oneLineError(wrong, 1, /^abmkit: error SECRET_DECRYPT_FAILED: /);
      oneLineError(
        await runCli(['token', 'show', 'nobody'], env),
        1,
        /^abmkit: error TOKEN_NOT_FOUND: /,
      );
    });

    it('sync --all --watch keeps syncing on the schedule and stops cleanly on SIGTERM', async () => {
      const child = spawn(process.execPath, [CLI, 'sync', '--all', '--watch', '--interval', '1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env['PATH'] ?? '', ...env },
      });
      let out = '';
      const runs = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const done = out.match(/ acme-hq: completed in /g)?.length ?? 0;
          if (done >= 2) resolve(done);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code} early: ${out}`)));
      });
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(out).toMatch(/^watching \d+ token\(s\) every 1 s; Ctrl\+C to stop$/m);
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    });

    it('--debug adds the stack trace to the one-line error', async () => {
      const r = await runCli(['token', 'show', 'nobody', '--debug'], env);
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')[0]).toMatch(/^abmkit: error TOKEN_NOT_FOUND: /);
      expect(r.stderr).toMatch(/\n\s+at /);
    });
  });

  describe('abmkit usage, environment and unreachable stores', () => {
    it('unreachable PostgreSQL and Redis stores: one line, exit 1, no password shown', async () => {
      const pgDown = await runCli(['token', 'list'], {
        ABMKIT_STORE: 'postgres://u:hunter2@127.0.0.1:1/db',
      });
      oneLineError(
        pgDown,
        1,
        /^abmkit: error STORAGE_ERROR: PostgreSQL at 127\.0\.0\.1:1 is unreachable/,
      );
      expect(pgDown.stderr).not.toContain('hunter2');
      const redisDown = await runCli(['token', 'list', '--store', 'redis://127.0.0.1:1']);
      oneLineError(
        redisDown,
        1,
        /^abmkit: error STORAGE_ERROR: Redis at 127\.0\.0\.1:1 is unreachable/,
      );
    });

    it('usage errors exit 2 with one line', async () => {
      oneLineError(
        await runCli(['token', 'list']),
        2,
        /no store: pass --store file:DIR \| postgres:\/\/… \| redis:\/\/… or set ABMKIT_STORE/,
      );
      oneLineError(
        await runCli(['token', 'list', '--store', 'mysql://x']),
        2,
        /--store must be file:DIR/,
      );
      oneLineError(await runCli(['frobnicate']), 2, /unknown command 'frobnicate'/);
      oneLineError(
        await runCli(['sync', '--store', 'file:/tmp/x']),
        2,
        /sync needs a <token-id> or --all/,
      );
      oneLineError(
        await runCli(['devices', 't', '--status', 'lost', '--store', 'file:/tmp/x']),
        2,
        /--status must be one of/,
      );
      oneLineError(
        await runCli(['token', 'list', '--store', 'file:/tmp/x', '--base-url', 'ftp://x']),
        2,
        /--base-url/,
      );
      oneLineError(await runCli(['keygen']), 2, /missing required argument 'token-id'/);
    });

    it('--help on every command shows an example; --version prints the version', async () => {
      const top = await runCli(['--help']);
      expect(top.code).toBe(0);
      for (const text of [
        'Exit codes:',
        '3  doctor: something needs attention',
        'ABMKIT_KEY',
        'ABMKIT_STORE',
        'ABMKIT_BASE_URL',
      ]) {
        expect(top.stdout).toContain(text);
      }
      const commands = [
        ['keygen'],
        ['token'],
        ['token', 'upload'],
        ['token', 'list'],
        ['token', 'show'],
        ['sync'],
        ['devices'],
        ['lookup'],
        ['policy'],
        ['policy', 'show'],
        ['policy', 'set'],
        ['profile'],
        ['profile', 'define'],
        ['assign'],
        ['doctor'],
        ['console'],
        ['demo'],
      ];
      const results = await Promise.all(commands.map((c) => runCli([...c, '--help'])));
      for (const [i, r] of results.entries()) {
        expect(r.code, commands[i]!.join(' ')).toBe(0);
        expect(r.stdout, commands[i]!.join(' ')).toMatch(/Examples?:\n {2}\$ abmkit /);
      }
      expect((await runCli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('abmkit simulator runs the simulator CLI (same options)', async () => {
      const help = await runCli(['simulator', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('abmkit-simulator: a local simulator');
      const bad = await runCli(['simulator', '--devices', 'many']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--devices must be a non-negative integer');
    });

    it('abmkit demo runs the whole flow on the embedded default in seconds', async () => {
      const r = await runCli(['demo', '--devices', '300']);
      expect(r.code, r.stderr).toBe(0);
      for (const text of [
        'customer acme',
        'customer globex',
        'group "loaners"',
        'CSV_INVALID',
        'API account acme-api stored',
        'Assigned 20 of 20 device(s)',
        'loaners.csv: 20 of 20 arrived as "added" and got the group profile',
        'renew-soon',
        'expired',
        'Why Unassigned?',
        'abmkit doctor',
        'remedy:',
        'Done in',
      ]) {
        expect(r.stdout).toContain(text);
      }
    });
  });
});
