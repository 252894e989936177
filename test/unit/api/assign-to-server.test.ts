import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbmClient, type DevicePage } from '../../../src/index.js';
import { type ApiHarness, startApiHarness } from './helpers.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ devices: 30 });
});
afterAll(async () => {
  await h.sim.close();
});

function adeClient(): AbmClient {
  const c = h.sim.tokens.create();
  return new AbmClient({
    token: {
      consumerKey: c.consumer_key,
      consumerSecret: c.consumer_secret,
      accessToken: c.access_token,
      accessSecret: c.access_secret,
      accessTokenExpiry: new Date(c.access_token_expiry),
    },
    baseUrl: h.baseUrl,
    userAgent: 'abmkit-api-tests/1',
  });
}

async function pages(iterable: AsyncIterable<DevicePage>): Promise<DevicePage[]> {
  const out: DevicePage[] = [];
  for await (const page of iterable) out.push(page);
  return out;
}

describe('assignDevicesToServer', () => {
  it('assigns from a CSV and reports assigned, already there, moved, not found, failed, invalid and duplicates', async () => {
    const api = h.client();
    const ade = h.sim.businessApi.adeServerId;
    const pool = h.sim.businessApi.addUnassignedDevices(6);
    const [u0, u1, u2, u3, u4, u5] = [0, 1, 2, 3, 4, 5].map(pool.serialAt) as string[];
    // u3 sits on a second server first; u4 will fail in the activity.
    const { generateKeyPair } = await import('../../../src/index.js');
    const second = await api.createMdmServer({
      serverName: 'Other',
      certificatePem: (await generateKeyPair()).certificatePem,
    });
    await api.waitForActivity((await api.assignDevices(second.id, [u3 as string])).id);
    h.sim.businessApi.failSerials([u4 as string], 'Device is in an active migration');
    const onAde = h.sim.devices.serials(1)[0] as string;
    const csv = [
      'Serial Number,Owner',
      `${u0},a`,
      `${(u1 as string).toLowerCase()} ,b`,
      `${u0},dup`,
      `${u2},c`,
      `${u3},d`,
      `${u4},e`,
      `${onAde},f`,
      'NOSUCHDEV01,g',
      'bad!,h',
      `${u5},i`,
    ].join('\r\n');
    const report = await api.assignDevicesToServer(ade, csv, { chunkSize: 2, concurrency: 2 });
    expect(report.assigned.sort()).toEqual([u0, u1, u2, u3, u5].sort());
    expect(report.moved).toEqual([{ serialNumber: u3, fromServerId: second.id }]);
    expect(report.alreadyOnServer).toEqual([onAde]);
    expect(report.notFound).toEqual(['NOSUCHDEV01']);
    expect(report.failed).toEqual([
      { serialNumber: u4, reason: 'Device is in an active migration' },
    ]);
    expect(report.invalid.map((r) => r.line)).toEqual([10]);
    expect(report.duplicates).toBe(1);
    expect(report.activityIds).toHaveLength(3);
  });

  it('without lookup, reads not-found and failures from the activity logs', async () => {
    const api = h.client();
    const pool = h.sim.businessApi.addUnassignedDevices(3);
    const serials = [pool.serialAt(0), pool.serialAt(1), 'NOSUCHDEV02', pool.serialAt(2)];
    const report = await api.assignDevicesToServer(h.sim.businessApi.adeServerId, serials, {
      lookup: false,
      chunkSize: 1000,
    });
    expect(report.assigned).toEqual([pool.serialAt(0), pool.serialAt(1), pool.serialAt(2)]);
    expect(report.notFound).toEqual(['NOSUCHDEV02']);
    expect(report.activityIds).toHaveLength(1);
  });

  it('rejects 1,000+ malformed CSV rows without sending anything', async () => {
    const api = h.client();
    const before = h.sim.requests.length;
    const rows = Array.from({ length: 1200 }, (_, i) =>
      i % 3 === 0 ? `x${i}!` : i % 3 === 1 ? '"unterminated' : 'AB',
    );
    const report = await api.assignDevicesToServer(
      h.sim.businessApi.adeServerId,
      `serial\n${rows.join('\n')}\n`,
    );
    expect(report.assigned).toEqual([]);
    expect(report.invalid.length).toBeGreaterThan(0);
    expect(report.activityIds).toEqual([]);
    expect(h.sim.requests.length).toBe(before);
  });

  it('puts devices where ADE sync sees them: assign → added, unassign → deleted', async () => {
    const api = h.client();
    const ade = adeClient();
    const full = await pages(ade.devicePages({ limit: 1000 }));
    const cursor = full.at(-1)?.cursor as string;
    const pool = h.sim.businessApi.addUnassignedDevices(2);
    const onAde = h.sim.devices.serials(1)[0] as string;
    const report = await api.assignDevicesToServer(h.sim.businessApi.adeServerId, [
      pool.serialAt(0),
      pool.serialAt(1),
    ]);
    expect(report.assigned).toHaveLength(2);
    await api.waitForActivity(
      (await api.unassignDevices(h.sim.businessApi.adeServerId, [onAde])).id,
    );
    const delta = await pages(ade.devicePages({ cursor, phase: 'sync' }));
    const ops = delta.flatMap((p) => p.devices.map((d) => [d.serial_number, d.op_type]));
    expect(ops).toEqual(
      expect.arrayContaining([
        [pool.serialAt(0), 'added'],
        [pool.serialAt(1), 'added'],
        [onAde, 'deleted'],
      ]),
    );
    expect(h.sim.businessApi.orgDevice(onAde)).toEqual({ serverId: null });
  });

  it('Automatic Assignment: default product families move from one server to another', async () => {
    const api = h.client();
    const ade = h.sim.businessApi.adeServerId;
    await api.updateMdmServer(ade, { defaultProductFamilies: ['IPHONE', 'IPAD'] });
    const { generateKeyPair } = await import('../../../src/index.js');
    const macs = await api.createMdmServer({
      serverName: 'Macs',
      certificatePem: (await generateKeyPair()).certificatePem,
    });
    await api.updateMdmServer(macs.id, { defaultProductFamilies: ['MAC', 'IPAD'] });
    expect((await api.mdmServer(ade)).defaultProductFamilies).toEqual(['IPHONE']);
    expect((await api.mdmServer(macs.id)).defaultProductFamilies).toEqual(['MAC', 'IPAD']);
  });
});
