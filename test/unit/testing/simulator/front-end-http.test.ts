import { afterEach, describe, expect, it } from 'vitest';
import { createDepSimulator, type DepSimulator } from '../../../../src/testing/index.js';
import { UA } from './helpers.js';
import { plainFetchScenario } from './scenario.js';

describe('HTTP front end (node:http on 127.0.0.1)', () => {
  let sim: DepSimulator;
  afterEach(async () => {
    await sim.close();
  });

  it('listens on a loopback port and serves a full conversation to plain fetch', async () => {
    sim = createDepSimulator({ devices: 100, seed: 21 });
    const base = await sim.listen();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.url).toBe(base);
    expect(await sim.listen()).toBe(base);
    await plainFetchScenario(sim, base);
  });

  it('passes DELETE bodies and query strings through, and closes cleanly', async () => {
    sim = createDepSimulator({ devices: 5 });
    const base = await sim.listen();
    const session = sim.sessions.create();
    const headers = {
      'user-agent': UA,
      'x-adm-auth-session': session,
      'x-server-protocol-version': '10',
    };
    const del = await fetch(`${base}/profile/devices`, {
      method: 'DELETE',
      headers,
      body: JSON.stringify({ devices: sim.devices.serials(1) }),
    });
    expect(del.status).toBe(200);
    const get = await fetch(`${base}/profile?profile_uuid=NOPE`, { headers });
    expect(get.status).toBe(404);
    expect(get.headers.get('content-type')).toContain('text/plain');
    await sim.close();
    expect(sim.url).toBeUndefined();
    await expect(fetch(`${base}/account`, { headers })).rejects.toThrow();
  });
});
