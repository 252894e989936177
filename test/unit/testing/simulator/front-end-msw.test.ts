import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLE_ADE_BASE_URL,
  createDepSimulator,
  depSimulatorHandlers,
} from '../../../../src/testing/index.js';
import { sessionAuthorization, UA } from './helpers.js';
import { plainFetchScenario } from './scenario.js';

const sim = createDepSimulator({ devices: 100, seed: 21 });
const proxied = createDepSimulator({ devices: 3, seed: 22 });
const PROXY = 'https://proxy.example.com/dep/tenant-1';
const server = setupServer();

beforeAll(async () => {
  server.use(...(await sim.handlers()), ...(await depSimulatorHandlers(proxied, PROXY)));
  server.listen({ onUnhandledRequest: 'error' });
});
afterEach(() => {
  sim.faults.clear();
});
afterAll(() => {
  server.close();
});

describe('msw front end', () => {
  it('serves a full conversation to plain fetch at Apple’s base URL', async () => {
    await plainFetchScenario(sim, APPLE_ADE_BASE_URL);
    expect(sim.counters.byEndpoint['session']).toBe(1);
  });

  it('supports a base URL with a path prefix (signature over the full URL)', async () => {
    const creds = proxied.tokens.create();
    const res = await fetch(`${PROXY}/session`, {
      headers: { authorization: sessionAuthorization(proxied, PROXY, creds), 'user-agent': UA },
    });
    expect(res.status).toBe(200);
    expect(proxied.requests.at(-1)).toMatchObject({ path: '/session', status: 200 });
  });

  it('turns a dropped connection into a network error', async () => {
    sim.faults.add({ endpoint: 'account', drop: true });
    await expect(
      fetch(`${APPLE_ADE_BASE_URL}/account`, { headers: { 'user-agent': UA } }),
    ).rejects.toThrow(TypeError);
  });

  it('serves scripted statuses with Retry-After', async () => {
    sim.faults.add({ endpoint: 'account', status: 503, retryAfter: 3 });
    const res = await fetch(`${APPLE_ADE_BASE_URL}/account`, { headers: { 'user-agent': UA } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.text()).toBe('SERVICE_UNAVAILABLE');
  });
});
