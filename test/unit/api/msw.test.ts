import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbmApiClient } from '../../../src/api/index.js';
import { createDepSimulator } from '../../../src/testing/index.js';

const sim = createDepSimulator({ devices: 4, seed: 8 });
const server = setupServer();

beforeAll(async () => {
  server.use(
    ...(await sim.handlers('https://api-business.apple.com')),
    ...(await sim.handlers('https://account.apple.com')),
  );
  server.listen({ onUnhandledRequest: 'error' });
});
afterAll(() => {
  server.close();
});

describe('the Business API through msw at Apple’s own hosts', () => {
  it('works with the default baseUrl and tokenUrl', async () => {
    const account = sim.businessApi.createAccount();
    const api = new AbmApiClient({
      ...account,
      now: () => sim.clock.now(),
      sleep: async (ms) => sim.clock.advance(ms),
    });
    const servers: string[] = [];
    for await (const s of api.mdmServers()) servers.push(s.id);
    expect(servers).toEqual([sim.businessApi.adeServerId]);
    const serial = sim.businessApi.addUnassignedDevices(1).first;
    const report = await api.assignDevicesToServer(sim.businessApi.adeServerId, [serial]);
    expect(report.assigned).toEqual([serial]);
    expect(sim.devices.get(serial)?.serial_number).toBe(serial);
  });
});
