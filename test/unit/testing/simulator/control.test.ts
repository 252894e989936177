/**
 * The HTTP control API in-process: `sim.listen(…, { control: true })`, `startSimulatorControl`
 * and `handleSimControl`, over real loopback HTTP where the front end matters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDepSimulator,
  type DepSimulator,
  handleSimControl,
  startSimulatorControl,
} from '../../../../src/testing/index.js';
import { UA } from './helpers.js';

const sims: DepSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function control(sim: DepSimulator, method: string, path: string, body?: unknown) {
  const res = await handleSimControl(sim, {
    method,
    path: path.split('?')[0] as string,
    query: Object.fromEntries(new URL(path, 'http://x').searchParams),
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { ...res, json: JSON.parse(res.body || 'null') };
}

describe('sim.listen with { control: true }', () => {
  it('serves /_sim/ beside the Apple paths; without the option /_sim/ is an unknown Apple path', async () => {
    const on = createDepSimulator({ devices: 3 });
    const off = createDepSimulator({ devices: 3 });
    sims.push(on, off);
    const onUrl = await on.listen(0, '127.0.0.1', { control: true });
    const offUrl = await off.listen();
    const added = await fetch(`${onUrl}/_sim/devices`, {
      method: 'POST',
      body: JSON.stringify({ count: 1 }),
    });
    expect(added.status).toBe(200);
    expect(added.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(on.devices.count).toBe(4);
    const apple = await fetch(`${onUrl}/account`, { headers: { 'user-agent': UA } });
    expect(apple.status).toBe(401);
    const refused = await fetch(`${offUrl}/_sim/devices`, {
      method: 'POST',
      headers: { 'user-agent': UA },
      body: JSON.stringify({ count: 1 }),
    });
    expect(refused.status).toBe(404);
    expect(await refused.text()).toBe('NOT_FOUND');
    expect(off.devices.count).toBe(3);
    expect(on.requests.map((r) => r.path)).toEqual(['/account']);
  });

  it('answers 413 BODY_TOO_LARGE to a control body over 1 MiB', async () => {
    const sim = createDepSimulator();
    sims.push(sim);
    const url = await sim.listen(0, '127.0.0.1', { control: true });
    const res = await fetch(`${url}/_sim/faults`, {
      method: 'POST',
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('BODY_TOO_LARGE');
    // Apple paths keep their own, larger limit.
    const apple = await fetch(`${url}/server/devices`, {
      method: 'POST',
      headers: { 'user-agent': UA },
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(apple.status).toBe(401);
  });
});

describe('startSimulatorControl', () => {
  it('serves only /_sim/ on its own port', async () => {
    const sim = createDepSimulator({ devices: 2 });
    const server = await startSimulatorControl(sim);
    try {
      const clock = await fetch(`${server.url}/_sim/clock`);
      expect(((await clock.json()) as { nowMs: number }).nowMs).toBeTypeOf('number');
      const apple = await fetch(`${server.url}/session`);
      expect(apple.status).toBe(404);
      expect(((await apple.json()) as { message: string }).message).toContain('/_sim/');
    } finally {
      await server.close();
    }
  });
});

describe('handleSimControl', () => {
  it('moves the clock by advanceMs or to an instant, and refuses both or neither', async () => {
    const sim = createDepSimulator({ now: () => Date.parse('2026-01-01T00:00:00Z') });
    const moved = await control(sim, 'POST', '/_sim/clock', { advanceMs: 60_000 });
    expect(moved.json.now).toBe('2026-01-01T00:01:00.000Z');
    const set = await control(sim, 'POST', '/_sim/clock/', { at: '2026-03-01T00:00:00Z' });
    expect(set.json.nowMs).toBe(Date.parse('2026-03-01T00:00:00Z'));
    for (const body of [{}, { advanceMs: 1, at: '2026-01-01T00:00:00Z' }, { advanceMs: 1.5 }]) {
      const bad = await control(sim, 'POST', '/_sim/clock', body);
      expect(bad.status).toBe(400);
      expect(bad.json.code).toBe('INVALID_BODY');
    }
    expect((await control(sim, 'POST', '/_sim/clock', { at: 'yesterday' })).status).toBe(400);
  });

  it('validates faults so a bad one cannot break later answers (header injection, wrong types)', async () => {
    const sim = createDepSimulator();
    const bad = [
      { endpoint: 'account', headers: { 'x-a': 'ok\r\nset-cookie: evil' } },
      { endpoint: 'account', headers: { 'bad header': 'v' } },
      { endpoint: 'account', status: 42 },
      { endpoint: 'account', times: 0 },
      { endpoint: 'account', drop: false },
      { endpoint: '' },
      { status: 503 },
      [{ endpoint: 'account' }],
    ];
    for (const body of bad) {
      const res = await control(sim, 'POST', '/_sim/faults', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.code).toBe('INVALID_BODY');
    }
    expect(sim.faults.list()).toEqual([]);
    const ok = await control(sim, 'POST', '/_sim/faults', {
      endpoint: '/account',
      method: 'get',
      after: 1,
      body: { reason: 'maintenance' },
      headers: { 'x-trace': 'abc' },
    });
    expect(ok.status).toBe(201);
    expect(sim.faults.list()).toEqual([
      expect.objectContaining({ endpoint: '/account', after: 1, remaining: 1 }),
    ]);
    expect((await control(sim, 'DELETE', `/_sim/faults?id=${ok.json.id}`)).json).toEqual({
      removed: 1,
    });
  });

  it('issues credentials JSON, lists tokens, and reports a renewal', async () => {
    const sim = createDepSimulator();
    const first = await control(sim, 'POST', '/_sim/tokens/credentials', {});
    expect(first.json.consumer_key).toMatch(/^CK_/);
    expect(first.headers['x-sim-renewal']).toBe('false');
    const renewed = await control(sim, 'POST', '/_sim/tokens/credentials', {
      consumerKey: first.json.consumer_key,
      expiresAt: '2030-01-01T00:00:00Z',
    });
    expect(renewed.headers['x-sim-renewal']).toBe('true');
    expect(renewed.json.consumer_secret).toBe(first.json.consumer_secret);
    expect(renewed.json.access_token_expiry).toBe('2030-01-01T00:00:00Z');
    expect((await control(sim, 'GET', '/_sim/tokens')).json).toEqual({
      consumerKeys: [first.json.consumer_key],
    });
    const spaced = await control(sim, 'POST', '/_sim/tokens/credentials', { consumerKey: 'CK 1' });
    expect(spaced.json.code).toBe('INVALID_BODY');
    const notPem = await control(sim, 'POST', '/_sim/tokens', { certificatePem: 'hello' });
    expect(notPem.json.issues[0].path).toBe('certificatePem');
  });

  it('answers typed errors for unknown routes, bad query values and reset bodies', async () => {
    const sim = createDepSimulator({ devices: 5 });
    const missing = await control(sim, 'GET', '/_sim/nothing');
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe('NOT_FOUND');
    expect((await control(sim, 'GET', '/_sim/devices?limit=-1')).json.code).toBe(
      'INVALID_ARGUMENT',
    );
    expect((await control(sim, 'GET', '/_sim/requests?since=x')).json.code).toBe(
      'INVALID_ARGUMENT',
    );
    expect((await control(sim, 'POST', '/_sim/reset', { tokens: 'yes' })).json.code).toBe(
      'INVALID_BODY',
    );
    const dup = await control(sim, 'POST', '/_sim/devices/modify', {
      serials: [sim.devices.serials(1)[0], sim.devices.serials(1)[0]],
    });
    expect(dup.json.code).toBe('INVALID_BODY');
    const serial = sim.devices.serials(1)[0] as string;
    const cleared = await control(sim, 'POST', '/_sim/devices/modify', {
      serials: [serial],
      patch: { asset_tag: null, color: 'BLUE' },
    });
    expect(cleared.status).toBe(200);
    expect(sim.devices.get(serial)?.asset_tag).toBeUndefined();
    expect(sim.devices.get(serial)?.color).toBe('BLUE');
    const renamed = await control(sim, 'POST', '/_sim/devices/modify', {
      serials: [serial],
      patch: { serial_number: 'X' },
    });
    expect(renamed.json.code).toBe('INVALID_BODY');
    expect((await control(sim, 'POST', '/_sim/reset', { tokens: true })).json).toEqual({
      reset: true,
    });
  });
});
