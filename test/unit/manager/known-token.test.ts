import { afterEach, describe, expect, it } from 'vitest';
import {
  AbmManager,
  type AbmStorage,
  MemoryStorage,
  TokenNotFoundError,
} from '../../../src/index.js';
import { enroll, FAST_RETRY, type Harness, harness, TEST_KEY } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** A store counting `getToken` calls. */
function counting(inner: AbmStorage): { storage: AbmStorage; reads: () => number } {
  let n = 0;
  const storage = new Proxy(inner, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key === 'getToken') {
        return (...args: [string]) => {
          n++;
          return target.getToken(...args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { storage, reads: () => n };
}

describe('AbmManager runs a token as its last run left it', () => {
  it('reads the token only when it changed since the last run', async () => {
    const shared = new MemoryStorage({ encryptionKey: TEST_KEY });
    const { storage, reads } = counting(shared);
    h = await harness({ devices: 5 }, {}, storage);
    await enroll(h, 't');
    // The upload's record is the first run's: not read again.
    let before = reads();
    expect((await h.manager.syncNow('t')).status).toBe('completed');
    expect(reads()).toBe(before);
    before = reads();
    expect((await h.manager.syncNow('t')).status).toBe('completed');
    expect(reads()).toBe(before);
    // Someone else (another replica, an admin) writes the token: the next run reads it.
    await shared.saveToken('t', { name: 'renamed elsewhere' });
    before = reads();
    expect((await h.manager.syncNow('t')).status).toBe('completed');
    expect(reads()).toBe(before + 1);
    expect((await shared.getToken('t'))?.name).toBe('renamed elsewhere');
    before = reads();
    await h.manager.syncNow('t');
    expect(reads()).toBe(before);
  });

  it('uses credentials uploaded through another manager, and reports a token deleted elsewhere as unknown', async () => {
    const shared = new MemoryStorage({ encryptionKey: TEST_KEY });
    h = await harness({ devices: 5 }, {}, shared);
    const old = await enroll(h, 't');
    expect((await h.manager.syncNow('t')).status).toBe('completed');
    const other = new AbmManager({
      storage: shared,
      baseUrl: h.url,
      retry: FAST_RETRY,
      telemetry: false,
    });
    // The yearly renewal, uploaded through the other manager: the old access token stops
    // working at Apple, so a run with the credentials this manager last saw would fail to log in.
    const pem = await other.createKeyPair('t');
    await other.uploadServerToken(
      't',
      (await h.sim.issueServerToken(pem, { consumer_key: old })).file,
    );
    const report = await h.manager.syncNow('t');
    expect(report.status).toBe('completed');
    await other.deleteToken('t');
    await expect(h.manager.syncNow('t')).rejects.toBeInstanceOf(TokenNotFoundError);
    await other.stop();
  });

  it('reads the token before skipping it: a token renewed elsewhere runs at once', async () => {
    const shared = new MemoryStorage({ encryptionKey: TEST_KEY });
    let now = Date.now();
    h = await harness({ devices: 5 }, { now: () => new Date(now) }, shared);
    const key = await enroll(h, 't', { expiresAt: new Date(now + 2 * 86_400_000) });
    expect((await h.manager.syncNow('t')).status).toBe('completed');
    // Three days on, the token this manager knows has expired; another manager renewed it.
    now += 3 * 86_400_000;
    const other = new AbmManager({ storage: shared, baseUrl: h.url, telemetry: false });
    const pem = await other.createKeyPair('t');
    const renewal = await h.sim.issueServerToken(pem, {
      consumer_key: key,
      expiresAt: new Date(now + 365 * 86_400_000),
    });
    await other.uploadServerToken('t', renewal.file);
    const report = await h.manager.syncNow('t');
    expect(report).toMatchObject({ status: 'completed', skipped: null });
    await other.stop();
  });
});
