import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbmManager, FileStorage, profilePreset } from '../../../src/index.js';
import { createDepSimulator } from '../../../src/testing/index.js';
import { KEY, tempDir } from './stores.js';

const CHILD = join(import.meta.dirname, '../../fixtures/manager/sync-child.ts');
const DEVICES = 1200;

/** Runs the child until it prints `page <killAfter>`, then SIGKILLs it. */
function runAndKill(dir: string, killAfter: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, dir, 't', KEY.toString('hex')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        if (line === `page ${killAfter}`) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`child exited without being killed: ${lines.join('|')} ${stderr}`));
    });
  });
}

describe('a process killed mid-sync (SIGKILL) and restarted', () => {
  it('loses no device and assigns none twice beyond an idempotent re-assign', async () => {
    const sim = createDepSimulator({ devices: DEVICES, seed: 4242 });
    const url = await sim.listen();
    const dir = await tempDir('abmkit-sigkill-');
    try {
      const setup = new FileStorage({ directory: dir, encryptionKey: KEY });
      const admin = new AbmManager({ storage: setup, telemetry: false });
      const pem = await admin.createKeyPair('t', { baseUrl: url });
      await admin.uploadServerToken('t', (await sim.issueServerToken(pem)).file);
      const client = await admin.client('t');
      const profile = (
        await client.defineProfile(
          profilePreset('automated', { name: 'All', url: 'https://m.example/e' }),
        )
      ).profile_uuid;
      await admin.setPolicy('t', {
        osDefaults: { ios: profile, macos: profile, tvos: profile, visionos: profile },
      });
      await setup.close();
      // Slow the fetch down after a few pages so that the kill lands mid-sync.
      sim.faults.add({ endpoint: 'fetchDevices', after: 4, delayMs: 10_000 });

      const lines = await runAndKill(dir, 4);
      expect(lines).toContain('page 4');
      expect(lines.some((l) => l.startsWith('done'))).toBe(false);
      sim.faults.clear();

      const storage = new FileStorage({ directory: dir, encryptionKey: KEY });
      const manager = new AbmManager({
        storage,
        owner: 'replica-1',
        telemetry: false,
        pageSize: 100,
      });
      // The dead child still holds the lease: another owner must wait for it to lapse.
      const other = new AbmManager({ storage, owner: 'replica-2', telemetry: false });
      expect((await other.syncNow('t')).skipped).toBe('lease-held');
      const before = await storage.countDevices('t');
      expect(before.assigned + before.unassigned).toBe(400);
      const report = await manager.syncNow('t');
      expect(report.status).toBe('completed');
      expect(report.fullFetch).toBe(true);

      const counts = await storage.countDevices('t');
      expect(counts.removed).toBe(0);
      expect(counts.assigned + counts.pushed).toBe(DEVICES);
      const sent = sim.requests
        .filter((r) => r.endpoint === 'assignProfile')
        .reduce((n, r) => n + (r.serialsIn ?? 0), 0);
      // Every serial assigned once; at most the one batch in flight at the kill is sent again.
      expect(sent).toBeGreaterThanOrEqual(DEVICES);
      expect(sent).toBeLessThanOrEqual(DEVICES + 100);
      await storage.close();
    } finally {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
