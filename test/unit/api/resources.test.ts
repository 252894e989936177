import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, isAbmError } from '../../../src/index.js';
import { type ApiHarness, collect, startApiHarness } from './helpers.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ devices: 25, unassigned: 10 });
});
afterAll(async () => {
  await h.sim.close();
});

describe('AbmApiClient resources against the simulator', () => {
  it('pages through orgDevices by links.next with a sparse fieldset', async () => {
    const devices = await collect(
      h.client().orgDevices({ limit: 7, fields: ['serialNumber', 'status'] }),
    );
    expect(devices).toHaveLength(35);
    expect(new Set(devices.map((d) => d.id)).size).toBe(35);
    expect(Object.keys(devices[0] ?? {}).sort()).toEqual(['id', 'serialNumber', 'status']);
    expect(devices.filter((d) => d.status === 'UNASSIGNED')).toHaveLength(10);
    const pages = h.sim.requests.filter((r) => r.path === '/v1/orgDevices');
    expect(pages.length).toBeGreaterThanOrEqual(5);
  });

  it('gets a device, its assigned server (id and record) and AppleCare coverage', async () => {
    const client = h.client();
    const serial = h.sim.devices.serials(1)[0] as string;
    const device = await client.orgDevice(serial);
    expect(device.serialNumber).toBe(serial);
    expect(device.status).toBe('ASSIGNED');
    expect(await client.assignedServerId(serial)).toBe(h.sim.businessApi.adeServerId);
    const server = await client.assignedServer(serial);
    expect(server?.serverName).toBe(h.sim.account.detail.server_name);
    const pool = h.sim.businessApi.addUnassignedDevices(1).first;
    expect(await client.assignedServerId(pool)).toBeNull();
    expect(await client.assignedServer(pool)).toBeNull();
    const coverage = await collect(client.appleCareCoverage(serial));
    expect(coverage[0]?.['status']).toBe('ACTIVE');
  });

  it('maps an unknown serial and server to NOT_FOUND with advice', async () => {
    const err = await h
      .client()
      .orgDevice('NOSUCH00001')
      .catch((e: unknown) => e);
    expect(isAbmError(err) && err.code).toBe('NOT_FOUND');
    expect((err as Error).message).toMatch(/serial/);
    const err2 = await h
      .client()
      .mdmServer('FFFF')
      .catch((e: unknown) => e);
    expect(isAbmError(err2) && err2.code).toBe('NOT_FOUND');
    const err3 = await h
      .client()
      .orgDevice('bad/serial')
      .catch((e: unknown) => e);
    expect(isAbmError(err3) && err3.code).toBe('INVALID_ARGUMENT');
  });

  it('lists, gets, creates (with a createKeyPair certificate) and updates MDM servers', async () => {
    const client = h.client();
    const { certificatePem } = await generateKeyPair({ commonName: 'abmkit test' });
    const created = await client.createMdmServer({ serverName: 'Second MDM', certificatePem });
    expect(created.serverName).toBe('Second MDM');
    const servers = await collect(client.mdmServers({ limit: 1 }));
    expect(servers.map((s) => s.id)).toContain(created.id);
    expect(servers.map((s) => s.id)).toContain(h.sim.businessApi.adeServerId);
    const got = await client.mdmServer(created.id, { fields: ['serverName'] });
    expect(got).toEqual({ id: created.id, serverName: 'Second MDM' });
    const updated = await client.updateMdmServer(created.id, { defaultProductFamilies: ['IPAD'] });
    expect(updated.defaultProductFamilies).toEqual(['IPAD']);
    const renamed = await client.updateMdmServer(created.id, { serverName: 'Renamed' });
    expect(renamed.serverName).toBe('Renamed');
    const bad = await client
      .createMdmServer({ serverName: 'x', certificatePem: 'nope' })
      .catch((e: unknown) => e);
    expect(isAbmError(bad) && bad.code).toBe('CERTIFICATE_INVALID');
    const ade = await collect(
      client.mdmServerDevices(h.sim.businessApi.adeServerId, { limit: 10 }),
    );
    expect(ade).toHaveLength(h.sim.devices.count);
  });

  it('runs assign, unassign, migration and release activities; release needs confirmation', async () => {
    const client = h.client();
    const { serialAt } = h.sim.businessApi.addUnassignedDevices(4);
    const server = await client.createMdmServer({
      serverName: 'Activities',
      certificatePem: (await generateKeyPair()).certificatePem,
    });
    const a = await client.assignDevices(server.id, [serialAt(0), serialAt(1)]);
    expect(a.status).toBe('IN_PROGRESS');
    const done = await client.waitForActivity(a.id, { intervalMs: 1000 });
    expect(done.status).toBe('COMPLETED');
    expect(done.subStatus).toBe('COMPLETED_WITH_SUCCESS');
    expect(await client.assignedServerId(serialAt(0))).toBe(server.id);
    const log = await client.activityLog(done);
    expect(log?.entries?.map((e) => [e.serialNumber, e.ok])).toEqual([
      [serialAt(0), true],
      [serialAt(1), true],
    ]);
    const un = await client.waitForActivity(
      (await client.unassignDevices(server.id, [serialAt(0)])).id,
    );
    expect(un.status).toBe('COMPLETED');
    expect(await client.assignedServerId(serialAt(0))).toBeNull();
    const mig = await client.createActivity({
      activityType: 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE',
      serverId: server.id,
      serials: [serialAt(2)],
      mdmMigrationDeadline: new Date(h.sim.clock.now() + 86_400_000),
    });
    expect((await client.waitForActivity(mig.id)).status).toBe('COMPLETED');
    for (const activityType of ['UPDATE_MDM_MIGRATION_DEADLINE', 'CANCEL_MDM_MIGRATION'] as const) {
      const act = await client.createActivity({
        activityType,
        serials: [serialAt(2)],
        ...(activityType === 'UPDATE_MDM_MIGRATION_DEADLINE'
          ? { mdmMigrationDeadline: '2030-01-01T00:00:00Z' }
          : {}),
      });
      expect((await client.waitForActivity(act.id)).status).toBe('COMPLETED');
    }
    const refused = await client
      .releaseDevices([serialAt(3)], { confirmRelease: false })
      .catch((e: unknown) => e);
    expect(isAbmError(refused) && refused.code).toBe('INVALID_ARGUMENT');
    expect(
      h.sim.requests.filter((r) => r.path === '/v1/orgDeviceActivities' && r.method === 'POST'),
    ).toHaveLength(5);
    const rel = await client.releaseDevices([serialAt(3)], { confirmRelease: true });
    expect((await client.waitForActivity(rel.id)).status).toBe('COMPLETED');
    expect(h.sim.businessApi.orgDevice(serialAt(3))).toBeUndefined();
  });

  it('reports an activity that fails part-way, per serial, from its log', async () => {
    const client = h.client();
    const { serialAt } = h.sim.businessApi.addUnassignedDevices(3);
    h.sim.businessApi.failSerials([serialAt(1)], 'Device is locked by another organization');
    const act = await client.assignDevices(h.sim.businessApi.adeServerId, [
      serialAt(0),
      serialAt(1),
      'NOSUCH00002',
    ]);
    const done = await client.waitForActivity(act.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.subStatus).toBe('COMPLETED_WITH_ERRORS');
    const log = await client.activityLog(done);
    expect(log?.raw).toContain('serialNumber,status,reason');
    expect(log?.entries).toEqual([
      { serialNumber: serialAt(0), ok: true, status: 'SUCCESS' },
      {
        serialNumber: serialAt(1),
        ok: false,
        status: 'FAILED',
        reason: 'Device is locked by another organization',
      },
      {
        serialNumber: 'NOSUCH00002',
        ok: false,
        status: 'FAILED',
        reason: 'Device not found in the organization',
      },
    ]);
    const allBad = await client.waitForActivity(
      (await client.assignDevices(h.sim.businessApi.adeServerId, ['NOSUCH00003'])).id,
    );
    expect(allBad.status).toBe('FAILED');
  });

  it('stops polling on abort and on its timeout', async () => {
    const client = h.client();
    const act = await client.assignDevices(h.sim.businessApi.adeServerId, [
      h.sim.businessApi.addUnassignedDevices(1).first,
    ]);
    const controller = new AbortController();
    controller.abort();
    const aborted = await client
      .waitForActivity(act.id, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(isAbmError(aborted) && aborted.code).toBe('ABORTED');
    h.sim.businessApi.activityLatencyMs = 10_000_000;
    const slow = await client.assignDevices(h.sim.businessApi.adeServerId, [
      h.sim.businessApi.addUnassignedDevices(1).first,
    ]);
    const timedOut = await client
      .waitForActivity(slow.id, { timeoutMs: 60_000 })
      .catch((e: unknown) => e);
    expect(isAbmError(timedOut) && timedOut.code).toBe('TIMEOUT');
    h.sim.businessApi.activityLatencyMs = 5_000;
  });
});
