import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDepSimulator, type DepSimulator } from '../../src/testing/index.js';
import { CLI } from '../integration/cli/run-cli.js';

/**
 * The admin console in headless Chromium (Debian's `chromium` package) driven by Playwright.
 * Locally the suite is skipped with a warning when Chromium is missing; in CI (CI=true) it fails.
 * `UPDATE_SCREENSHOTS=1` rewrites the screenshots in docs/.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const required = Boolean(process.env['CI']);
const DOCS = join(import.meta.dirname, '../../docs');
const shots = process.env['UPDATE_SCREENSHOTS'] === '1';

if (!haveChromium && !required) {
  console.warn(
    `\n⚠️  SKIPPING the console browser test: ${CHROMIUM} is missing (apt-get install -y chromium).\n`,
  );
}

describe.skipIf(!haveChromium && !required)(
  'abmkit console in headless Chromium',
  { timeout: 240_000 },
  () => {
    let sim: DepSimulator;
    let dir: string;
    let consoleProcess: ChildProcess | undefined;
    let url: string;
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      if (!haveChromium)
        throw new Error(`CI requires Chromium at ${CHROMIUM}: apt-get install -y chromium`);
      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
      sim = createDepSimulator({ devices: 400, seed: 1601 });
      const baseUrl = await sim.listen();
      dir = await mkdtemp(join(tmpdir(), 'abmkit-console-'));
      const child = spawn(
        process.execPath,
        [CLI, 'console', '--port', '0', '--store', `file:${join(dir, 'store')}`],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            PATH: process.env['PATH'] ?? '',
            ABMKIT_KEY: randomBytes(32).toString('hex'),
            ABMKIT_BASE_URL: baseUrl,
          },
        },
      );
      consoleProcess = child;
      url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr?.on('data', (d: Buffer) => {
          err += d.toString();
        });
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /abmkit console at (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`console exited ${code}: ${err}`)));
      });
      context = await chromium.launchPersistentContext(join(dir, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        acceptDownloads: true,
        viewport: { width: 1280, height: 900 },
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = context.pages()[0] ?? (await context.newPage());
      // Hangs, not slowness: on a loaded 2-core machine a click or a render can take many seconds.
      context.setDefaultTimeout(120_000);
    });

    afterAll(async () => {
      await context?.close();
      if (consoleProcess !== undefined && consoleProcess.exitCode === null) {
        const exited = new Promise((r) => consoleProcess!.once('exit', r));
        consoleProcess.kill('SIGTERM');
        await exited;
      }
      await sim?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('runs the token wizard, syncs, filters devices and shows Unassigned reasons', async () => {
      await page.goto(url);
      await expect.poll(() => page.locator('#tokens').innerText()).toContain('No token yet');

      // 1 · customer & site → key pair
      await page.click('#add-token');
      await page.fill('#w-customer', 'acme');
      await page.fill('#w-site', 'hq');
      await page.fill('#w-name', 'RMM Server 1');
      if (shots) await page.screenshot({ path: join(DOCS, 'console-wizard.png') });
      await page.click('#w-next1');
      await page.locator('[data-pane="2"]').waitFor({ state: 'visible' });
      expect(await page.locator('#w-keynote').innerText()).toContain('New key pair for acme-hq');

      // 2 · download the public key; ABM (the simulator) issues a server token for it
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#w-download'),
      ]);
      expect(download.suggestedFilename()).toBe('acme-hq-public-key.pem');
      const pem = await readFile((await download.path())!, 'utf8');
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const issued = await sim.issueServerToken(pem);
      const p7m = join(dir, issued.filename);
      await writeFile(p7m, issued.file);

      // 3 · upload the token
      await page.click('#w-next2');
      await page.setInputFiles('#w-file', p7m);
      await page.click('#w-upload');
      await expect
        .poll(() => page.locator('#w-result').innerText())
        .toMatch(/Token acme-hq added: valid/);
      await page.click('#w-cancel');

      // Default profiles per OS: create one for iOS + iPadOS and one for macOS (tvOS stays without).
      await page.locator('#token-panel').waitFor({ state: 'visible' });
      await page.fill('#p-name', 'Acme iOS');
      await page.fill('#p-url', 'https://mdm.acme.example/enroll');
      await page.click('#p-create');
      await expect
        .poll(() => page.locator('input[data-os="ios"]').inputValue())
        .toMatch(/^[0-9A-F]{32}$/);
      await page.fill('#p-name', 'Acme Mac');
      await page.selectOption('#p-os', 'macos');
      await page.click('#p-create');
      await expect
        .poll(() => page.locator('input[data-os="macos"]').inputValue())
        .toMatch(/^[0-9A-F]{32}$/);

      // Sync Now with live progress
      await page.click('#sync');
      await expect
        .poll(() => page.locator('#sync-text').innerText(), { timeout: 120_000 })
        .toMatch(/^Sync completed: /);
      await expect.poll(() => page.locator('#devices tr').count()).toBe(50);
      expect(await page.locator('#d-count').innerText()).toBe('50+ devices');
      if (shots) {
        await page.locator('#toast').evaluate((el) => el.replaceChildren());
        await page.screenshot({ path: join(DOCS, 'console-devices.png') });
      }

      // Filter devices: macOS only
      await page.selectOption('#f-os', 'macOS');
      await expect
        .poll(
          async () => new Set(await page.locator('#devices tr td:nth-child(3)').allInnerTexts()),
        )
        .toEqual(new Set(['macOS']));
      // Search one serial
      const serial = (await page.locator('#devices tr td:first-child').first().innerText()).trim();
      await page.fill('#f-q', serial.slice(0, 10));
      await expect
        .poll(() => page.locator('#devices tr td:first-child').allInnerTexts())
        .toEqual([serial]);
      // Status filter: unassigned, all OSes
      await page.fill('#f-q', '');
      await page.selectOption('#f-os', '');
      await page.selectOption('#f-status', 'unassigned');
      await expect
        .poll(
          async () => new Set(await page.locator('#devices tr td:nth-child(4)').allInnerTexts()),
        )
        .toEqual(new Set(['unassigned']));

      // The Unassigned list says why
      const reason = page.locator('#unassigned td.reason').first();
      await expect.poll(() => reason.innerText()).toMatch(/no default profile for (tvOS|visionOS)/);
      expect(await page.locator('#u-reasons').innerText()).toMatch(
        /\d+ × .*no default profile for/,
      );

      if (shots) {
        await page.locator('#unassigned').scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(DOCS, 'console-unassigned.png'), fullPage: true });
      }
    });

    it('refuses the API without the access key from the console URL', async () => {
      const origin = new URL(url).origin;
      const res = await fetch(`${origin}/api/tokens`);
      expect(res.status).toBe(403);
      // A new tab without the key in its URL: the page loads, every API call is refused.
      const page2 = await context.newPage();
      await page2.goto(`${origin}/`);
      await expect.poll(() => page2.locator('#toast').innerText()).toContain('FORBIDDEN');
      const status = await page2.evaluate(async () => (await fetch('./api/tokens')).status);
      expect(status).toBe(403);
      await page2.close();
    });
  },
);
