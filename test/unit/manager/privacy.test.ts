import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { AbmLogger } from '../../../src/index.js';
import { enroll, type Harness, harness } from './helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function capturingLogger(lines: string[]): AbmLogger {
  const log = (obj: unknown, msg?: unknown) =>
    void lines.push(inspect([obj, msg], { depth: Number.POSITIVE_INFINITY }));
  const logger: AbmLogger = { error: log, warn: log, info: log, debug: log, child: () => logger };
  return logger;
}

describe('AbmManager privacy', () => {
  it('never shows key material, OAuth secrets or session tokens in logs, events, reports or health', async () => {
    const lines: string[] = [];
    h = await harness({ devices: 20 }, { logger: capturingLogger(lines) });
    const payloads: string[] = [];
    for (const name of [
      'sync.completed',
      'sync.failed',
      'token.terms-not-signed',
      'lease.acquired',
    ] as const) {
      h.manager.on(name, (e) => void payloads.push(JSON.stringify(e), inspect(e, { depth: null })));
    }
    await enroll(h, 't');
    const reports = [await h.manager.syncNow('t')];
    h.sim.account.setTermsSigned(false);
    h.sim.sessions.invalidateAll();
    reports.push(await h.manager.syncNow('t'));
    expect(reports[1]?.error?.code).toBe('TERMS_NOT_SIGNED');

    const token = await h.storage.getToken('t');
    const session = await h.storage.getSession('t');
    const secrets = [
      token?.credentials?.consumerSecret,
      token?.credentials?.accessToken,
      token?.credentials?.accessSecret,
      token?.currentKeyPair?.privateKeyPem.split('\n')[1],
      session?.sessionToken,
    ].filter((s): s is string => typeof s === 'string' && s.length > 8);
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const haystack = [
      ...lines,
      ...payloads,
      JSON.stringify(reports),
      JSON.stringify(await h.manager.health('t')),
      JSON.stringify(await h.manager.listTokens()),
      inspect(await h.manager.client('t'), { depth: null }),
    ].join('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const secret of secrets) expect(haystack).not.toContain(secret);
    expect(haystack).not.toMatch(/PRIVATE KEY/);
  });
});
