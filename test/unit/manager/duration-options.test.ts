import { afterEach, describe, expect, it, vi } from 'vitest';
import { AbmManager, MemoryStorage } from '../../../src/index.js';
import { enroll, type Harness, harness, TEST_KEY } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  vi.useRealTimers();
});

const DAY = 86_400_000;
const manager = (extra: object) =>
  new AbmManager({
    storage: new MemoryStorage({ encryptionKey: TEST_KEY }),
    telemetry: false,
    ...extra,
  });

describe('AbmManager duration options (shared durationOption in the option schema)', () => {
  it('a 30-day syncIntervalMs waits (clamped to the longest timer) instead of firing every 1 ms', async () => {
    h = await harness({ devices: 5 }, { syncIntervalMs: 30 * DAY, staggerMs: 0, jitter: 0 });
    await enroll(h, 'a');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let started = 0;
    h.manager.on('sync.started', () => void started++);
    const first = new Promise<void>((resolve) =>
      h?.manager.once('sync.completed', () => resolve()),
    );
    await h.manager.start();
    await vi.advanceTimersByTimeAsync(10);
    await first;
    // An overflowing timer would have fired again after 1 ms, thousands of times by now.
    for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(500);
    expect(started).toBe(1);
  });

  it('accepts long and infinite durations (clamped) and zero where zero means "none"', () => {
    for (const extra of [
      { syncIntervalMs: 30 * DAY },
      { syncIntervalMs: Number.POSITIVE_INFINITY },
      { leaseTtlMs: 60 * DAY },
      { fullReconcileIntervalMs: 365 * DAY, throttleFallbackMs: 40 * DAY },
      { staggerMs: 0, assignmentCooldownMs: 0, unhealthyProbeIntervalMs: 0 },
    ]) {
      expect(() => manager(extra), JSON.stringify(extra)).not.toThrow();
    }
  });

  it('gives every client its limits: a page over maxResponseBytes fails the run with RESPONSE_TOO_LARGE', async () => {
    h = await harness(
      { devices: 50 },
      { maxResponseBytes: 2048, timeoutMs: 5000, deadlineMs: 20_000 },
    );
    await enroll(h, 'a');
    const report = await h.manager.syncNow('a');
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('RESPONSE_TOO_LARGE');
    // The same store and simulator with the default limit sync.
    await h.manager.stop();
    const roomy = new AbmManager({
      storage: h.storage,
      baseUrl: h.url,
      telemetry: false,
      userAgent: 'abmkit-tests/1.0',
    });
    expect((await roomy.syncNow('a')).status).toBe('completed');
    await roomy.stop();
  });

  it.each([
    ['timeoutMs', 0],
    ['deadlineMs', -1],
    ['maxResponseBytes', 0],
    ['maxResponseBytes', 1.5],
    ['syncIntervalMs', 0],
    ['syncIntervalMs', -1],
    ['syncIntervalMs', Number.NaN],
    ['syncIntervalMs', '300000'],
    ['leaseTtlMs', 10],
    ['staggerMs', -5],
    ['fullReconcileIntervalMs', 1.5],
  ])('rejects %s: %s with a typed error naming the option', (name, value) => {
    let error: unknown;
    try {
      manager({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string })?.code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).toMatch(
      name === 'maxResponseBytes' ? /whole number|at least 1/ : /milliseconds/,
    );
  });
});
