/**
 * An embedder's vitest test: the ADE simulator from `abmkit/testing` plays Apple, over loopback
 * HTTP, so the real `AbmClient` and the embedder's `onboardNewDevices` run unchanged.
 *
 * Run after `npm run build`: `npx vitest run --config examples/embedder-vitest/vitest.config.ts`
 */
import { AbmClient, serverTokenFromJSON } from 'abmkit';
import { createDepSimulator, type DepSimulator } from 'abmkit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onboardNewDevices } from './onboard.js';

describe('onboardNewDevices', () => {
  let sim: DepSimulator;
  let client: AbmClient;
  let profileUuid: string;

  beforeEach(async () => {
    sim = createDepSimulator({ devices: 50, seed: 1 });
    const baseUrl = await sim.listen();
    // The same JSON that is inside the .p7m ABM would let an admin download.
    const token = serverTokenFromJSON(sim.tokens.create());
    client = new AbmClient({ token, baseUrl, userAgent: 'acme-mdm-tests/1.0' });
    ({ profile_uuid: profileUuid } = await client.defineProfile({
      profile_name: 'Acme staff',
      url: 'https://mdm.acme.test/enroll',
    }));
  });

  afterEach(async () => {
    await sim.close();
  });

  it('assigns the profile to every device on the first run, then only to newly added ones', async () => {
    const first = await onboardNewDevices(client, profileUuid);
    expect(first.assigned).toHaveLength(50);
    expect(first.cursor).toBeDefined();

    // An ABM admin assigns three new devices to our server.
    const added = [sim.devices.add(), sim.devices.add({ platform: 'Mac' }), sim.devices.add()];
    const serials = added.map((d) => d.serial_number);

    const second = await onboardNewDevices(client, profileUuid, first.cursor);
    expect(second.assigned.sort()).toEqual([...serials].sort());
    for (const serial of serials) {
      expect(sim.devices.get(serial)).toMatchObject({
        profile_uuid: profileUuid,
        profile_status: 'assigned',
      });
    }
    // One assign call per run: the second run did not re-assign the first 50 devices.
    expect(
      sim.requests.filter((r) => r.endpoint === 'assignProfile').map((r) => r.serialsIn),
    ).toEqual([50, 3]);
  });

  it('reports throttled and inaccessible devices instead of losing them', async () => {
    const { cursor } = await onboardNewDevices(client, profileUuid);
    const slow = sim.devices.add();
    const broken = sim.devices.add();
    sim.devices.setAssignOutcome([slow.serial_number], 'THROTTLED');
    sim.devices.setAssignOutcome([broken.serial_number], 'FAILED');

    const run = await onboardNewDevices(client, profileUuid, cursor);
    expect(run.throttled).toEqual({ serials: [slow.serial_number], retryAfterSeconds: 60 });
    expect(run.failed).toEqual([broken.serial_number]);
    expect(sim.devices.get(slow.serial_number)?.profile_status).toBe('empty');
  });

  it('survives a transient Apple outage and a session rotation', async () => {
    const { cursor } = await onboardNewDevices(client, profileUuid);
    const device = sim.devices.add();
    sim.faults.add({ endpoint: 'syncDevices', status: 503, retryAfter: 0 });
    sim.sessions.rotateNext();

    const run = await onboardNewDevices(client, profileUuid, cursor);
    expect(run.assigned).toEqual([device.serial_number]);
    expect(sim.counters.byStatus['503']).toBe(1);
  });
});
