import { afterEach, describe, expect, it } from 'vitest';
import { createDepSimulator, type DepSimulator } from '../../../../src/testing/index.js';
import { call, UA } from './helpers.js';

describe('fault injection (core)', () => {
  it('answers a scripted status with Retry-After for `times` calls after `after` calls', async () => {
    const sim = createDepSimulator({ devices: 5 });
    const session = sim.sessions.create();
    sim.faults.add({ endpoint: 'fetchDevices', after: 1, times: 2, status: 503, retryAfter: 7 });
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await call(sim, 'POST', '/server/devices', { session, body: {} });
      statuses.push(res.status);
      retryAfter ??= res.headers['retry-after'];
    }
    expect(statuses).toEqual([200, 503, 503, 200]);
    expect(retryAfter).toBe('7');
    expect(sim.faults.list()).toEqual([]);
    expect(sim.counters.faultsApplied).toBe(2);
  });

  it('matches by path and method, and takes a custom body', async () => {
    const sim = createDepSimulator();
    const session = sim.sessions.create();
    sim.faults.add({
      endpoint: '/profile/devices',
      method: 'DELETE',
      status: 429,
      body: { error: 'slow down' },
    });
    const put = await call(sim, 'PUT', '/profile/devices', { session, body: {} });
    expect(put.status).toBe(400);
    const del = await call(sim, 'DELETE', '/profile/devices', { session, body: {} });
    expect(del.status).toBe(429);
    expect(del.json).toEqual({ error: 'slow down' });
  });

  it('drops the connection (core reports drop: true)', async () => {
    const sim = createDepSimulator();
    sim.faults.add({ endpoint: 'account', drop: true });
    const res = await sim.handle({
      method: 'GET',
      path: '/account',
      headers: { 'user-agent': UA },
    });
    expect(res.drop).toBe(true);
    expect(sim.requests.at(-1)).toMatchObject({ endpoint: 'account', status: 0, fault: true });
  });

  it('delays with the injected sleep before answering', async () => {
    const waits: number[] = [];
    const sim = createDepSimulator({ sleep: async (ms) => void waits.push(ms) });
    const session = sim.sessions.create();
    sim.faults.add({ endpoint: 'account', delayMs: 1234 });
    expect((await call(sim, 'GET', '/account', { session })).status).toBe(200);
    expect(waits).toEqual([1234]);
  });

  it('sends a truncated, unparsable body after applying the request', async () => {
    const sim = createDepSimulator({ devices: 3 });
    const session = sim.sessions.create();
    sim.faults.add({ endpoint: 'fetchDevices', malformed: true });
    const res = await call(sim, 'POST', '/server/devices', { session, body: {} });
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text)).toThrow();
    expect(res.text.startsWith('{"devices":[')).toBe(true);
  });

  it('repeats the request cursor with more_to_follow: true', async () => {
    const sim = createDepSimulator({ devices: 30 });
    const session = sim.sessions.create();
    const first = await call(sim, 'POST', '/server/devices', { session, body: { limit: 10 } });
    sim.faults.add({ endpoint: 'fetchDevices', repeatCursor: true, times: 2 });
    const body = { cursor: first.json.cursor, limit: 10 };
    const a = await call(sim, 'POST', '/server/devices', { session, body });
    const b = await call(sim, 'POST', '/server/devices', {
      session,
      body: { cursor: a.json.cursor, limit: 10 },
    });
    expect(a.json.cursor).toBe(first.json.cursor);
    expect(b.json.cursor).toBe(first.json.cursor);
    expect(a.json.more_to_follow).toBe(true);
    expect(b.json.devices).toEqual(a.json.devices);
    const c = await call(sim, 'POST', '/server/devices', { session, body });
    expect(c.json.cursor).not.toBe(first.json.cursor);
  });

  it('faults on /session apply before OAuth checks', async () => {
    const sim = createDepSimulator();
    sim.faults.add({ endpoint: 'session', status: 500 });
    const res = await call(sim, 'GET', '/session');
    expect(res.status).toBe(500);
    expect(res.text).toBe('INTERNAL_SERVER_ERROR');
  });

  it('validates fault specs', () => {
    const sim = createDepSimulator();
    expect(() => sim.faults.add({ endpoint: '' })).toThrow(/endpoint/);
    expect(() => sim.faults.add({ endpoint: 'account', status: 42 })).toThrow(/status/);
    const id = sim.faults.add({
      endpoint: 'account',
      status: 500,
      times: Number.POSITIVE_INFINITY,
    });
    expect(sim.faults.list()).toHaveLength(1);
    sim.faults.remove(id);
    expect(sim.faults.list()).toEqual([]);
  });
});

describe('request log, counters and reset', () => {
  it('logs method, path, status, serial counts and errors; counts per endpoint and status', async () => {
    const sim = createDepSimulator({ devices: 20 });
    const session = sim.sessions.create();
    await call(sim, 'POST', '/server/devices', { session, body: { limit: 5 } });
    await call(sim, 'POST', '/devices', { session, body: { devices: sim.devices.serials(3) } });
    await call(sim, 'POST', '/devices/sync', { session, body: {} });
    expect(sim.requests.map((e) => [e.method, e.path, e.status])).toEqual([
      ['POST', '/server/devices', 200],
      ['POST', '/devices', 200],
      ['POST', '/devices/sync', 400],
    ]);
    expect(sim.requests[0]).toMatchObject({
      endpoint: 'fetchDevices',
      devicesOut: 5,
      protocolVersion: 10,
    });
    expect(sim.requests[1]).toMatchObject({ serialsIn: 3, devicesOut: 3 });
    expect(sim.requests[2]).toMatchObject({ error: 'CURSOR_REQUIRED' });
    expect(sim.counters).toMatchObject({
      requests: 3,
      byEndpoint: { fetchDevices: 1, deviceDetails: 1, syncDevices: 1 },
      byStatus: { '200': 2, '400': 1 },
      devicesServed: 8,
    });
  });

  it('keeps a bounded log', async () => {
    const sim = createDepSimulator({ requestLogLimit: 3 });
    const session = sim.sessions.create();
    for (let i = 0; i < 5; i++) await call(sim, 'GET', '/account', { session });
    expect(sim.requests.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(sim.counters.requests).toBe(5);
  });

  it('reset restores the initial state but keeps tokens unless asked', async () => {
    const sim = createDepSimulator({ devices: 10 });
    const token = sim.tokens.create();
    const session = sim.sessions.create(token.consumer_key);
    sim.devices.add();
    sim.faults.add({ endpoint: 'account', status: 500 });
    sim.account.setTermsSigned(false);
    sim.reset();
    expect(sim.devices.count).toBe(10);
    expect(sim.devices.stats().events).toBe(0);
    expect(sim.faults.list()).toEqual([]);
    expect(sim.requests).toEqual([]);
    expect((await call(sim, 'GET', '/account', { session })).status).toBe(401);
    expect(sim.tokens.list()).toEqual([token.consumer_key]);
    const fresh = sim.sessions.create(token.consumer_key);
    expect((await call(sim, 'GET', '/account', { session: fresh })).status).toBe(200);
    sim.reset({ tokens: true });
    expect(sim.tokens.list()).toEqual([]);
  });
});

describe('dropped connections over real HTTP', () => {
  let sim: DepSimulator;
  afterEach(async () => {
    await sim.close();
  });

  it('closes the socket so the client sees a network error, then serves normally', async () => {
    sim = createDepSimulator();
    const base = await sim.listen();
    const session = sim.sessions.create();
    sim.faults.add({ endpoint: 'account', drop: true });
    const headers = { 'user-agent': UA, 'x-adm-auth-session': session };
    await expect(fetch(`${base}/account`, { headers })).rejects.toThrow(TypeError);
    expect((await fetch(`${base}/account`, { headers })).status).toBe(200);
  });
});
