import { describe, expect, it } from 'vitest';
import { createDepSimulator } from '../../../../src/testing/index.js';
import { call, fetchAll, type Loose } from './helpers.js';

const APPLE_SERIAL = /^[0-9A-HJ-NP-Z]{12}$/;

describe('device population', () => {
  it('is deterministic from the seed and differs between seeds', async () => {
    const page = async (seed: number | string) => {
      const sim = createDepSimulator({ devices: 300, seed, now: () => Date.UTC(2026, 0, 1) });
      const res = await call(sim, 'POST', '/server/devices', {
        session: sim.sessions.create(),
        body: { limit: 300 },
      });
      return res.json.devices as Loose[];
    };
    const a = await page(42);
    expect(await page(42)).toEqual(a);
    const b = await page(43);
    expect(b.map((d) => d.serial_number)).not.toEqual(a.map((d) => d.serial_number));
    expect(await page('tenant-a')).toEqual(await page('tenant-a'));
  });

  it('generates unique 12-character serials from Apple’s alphabet and realistic fields', async () => {
    const sim = createDepSimulator({ devices: 5000, seed: 9 });
    const { serials } = await fetchAll(sim, sim.sessions.create());
    expect(serials).toHaveLength(5000);
    expect(new Set(serials).size).toBe(5000);
    for (const s of serials) expect(s).toMatch(APPLE_SERIAL);
    const res = await call(sim, 'POST', '/server/devices', {
      session: sim.sessions.create(),
      body: { limit: 1000 },
    });
    const devices = res.json.devices as Loose[];
    const families = new Set(devices.map((d) => d.device_family));
    for (const f of ['iPhone', 'iPad', 'Mac', 'AppleTV']) expect(families).toContain(f);
    const oses = new Set(devices.map((d) => d.os));
    for (const os of ['iOS', 'iPadOS', 'OSX', 'tvOS']) expect(oses).toContain(os);
    for (const d of devices) {
      expect(d.model).toEqual(expect.any(String));
      expect(d.description).toMatch(/^[A-Z0-9 ()./+-]+-[A-Z]{3}$/);
      expect(d.color).toEqual(expect.any(String));
      expect(d.profile_status).toBe('empty');
      expect(d.device_assigned_by).toMatch(/@/);
      expect(d.device_assigned_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const tagged = devices.filter((d) => typeof d.asset_tag === 'string').length;
    expect(tagged).toBeGreaterThan(200);
    expect(tagged).toBeLessThan(600);
    const cellular = devices.find((d) => Array.isArray(d.imei));
    expect(cellular?.imei).toEqual(expect.arrayContaining([expect.stringMatching(/^\d{15}$/)]));
  });

  it('can include visionOS and watchOS devices through the platform mix', async () => {
    const sim = createDepSimulator({
      devices: 50,
      platforms: { Vision: 1, Watch: 1, iPhone: 0, iPad: 0, Mac: 0, AppleTV: 0 },
    });
    const res = await call(sim, 'POST', '/server/devices', {
      session: sim.sessions.create(),
      body: { limit: 50 },
    });
    const pairs = new Set(res.json.devices.map((d: Loose) => `${d.os}/${d.device_family}`));
    expect(pairs).toEqual(new Set(['visionOS/Vision', 'watchOS/Watch']));
  });

  it('renders fields by X-Server-Protocol-Version (iPads are iOS below 7; v10 fields from 10)', async () => {
    const sim = createDepSimulator({
      devices: 200,
      seed: 4,
      platforms: { iPad: 1, iPhone: 0, Mac: 0, AppleTV: 0, Vision: 0 },
    });
    const session = sim.sessions.create();
    const at = async (protocol: number | null) =>
      (await call(sim, 'POST', '/server/devices', { session, protocol, body: { limit: 1 } })).json
        .devices[0] as Loose;
    const v1 = await at(null);
    expect(v1.os).toBeUndefined();
    expect(v1.device_family).toBeUndefined();
    const v6 = await at(6);
    expect(v6.os).toBe('iOS');
    expect(v6.device_family).toBe('iPad');
    expect(v6.wifi_mac_address).toBeUndefined();
    const v7 = await at(7);
    expect(v7.os).toBe('iPadOS');
    const v10 = await at(10);
    expect(v10.wifi_mac_address).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(v10.is_replacement_device).toEqual(expect.any(Boolean));
  });

  it('keeps 1,000,000 devices virtual: nothing materialises until a device changes', async () => {
    const sim = createDepSimulator({ devices: 1_000_000, seed: 1 });
    const session = sim.sessions.create();
    expect(sim.devices.count).toBe(1_000_000);
    const last = sim.devices.serialAt(999_999);
    expect(sim.devices.get(last)?.serial_number).toBe(last);
    const details = await call(sim, 'POST', '/devices', { session, body: { devices: [last] } });
    expect(details.json.devices[last].response_status).toBe('SUCCESS');
    // Read a page deep in the population via a cursor obtained by paging.
    let cursor: string | undefined;
    for (let i = 0; i < 3; i++) {
      const res = await call(sim, 'POST', '/server/devices', {
        session,
        body: { limit: 1000, ...(cursor ? { cursor } : {}) },
      });
      cursor = res.json.cursor;
    }
    expect(sim.devices.stats()).toEqual({
      population: 1_000_000,
      added: 0,
      removed: 0,
      materialised: 0,
      materialized: 0,
      events: 0,
    });
    sim.devices.modify(last, { asset_tag: 'X' });
    expect(sim.devices.stats().materialised).toBe(1);
  });
});

describe('device endpoints', () => {
  it('details: SUCCESS records for own serials, NOT_ACCESSIBLE for others', async () => {
    const sim = createDepSimulator({ devices: 10 });
    const session = sim.sessions.create();
    const [own] = sim.devices.serials(1);
    const res = await call(sim, 'POST', '/devices', {
      session,
      body: { devices: [own, 'C02FOREIGN01'] },
    });
    expect(res.status).toBe(200);
    expect(res.json.devices[own as string]).toMatchObject({
      serial_number: own,
      response_status: 'SUCCESS',
    });
    expect(res.json.devices.C02FOREIGN01.response_status).toBe('NOT_ACCESSIBLE');
    const empty = await call(sim, 'POST', '/devices', { session, body: { devices: [] } });
    expect(empty.text).toBe('DEVICE_ID_REQUIRED');
    expect(sim.requests.at(-2)).toMatchObject({
      endpoint: 'deviceDetails',
      serialsIn: 2,
      devicesOut: 1,
    });
  });

  it('disown removes devices (sync reports deleted)', async () => {
    const sim = createDepSimulator({ devices: 10 });
    const session = sim.sessions.create();
    const { cursor, serials } = await fetchAll(sim, session);
    const target = serials[0] as string;
    const res = await call(sim, 'POST', '/devices/disown', {
      session,
      body: { devices: [target, 'NOTOURS00000'] },
    });
    expect(res.json.devices).toEqual({ [target]: 'SUCCESS', NOTOURS00000: 'NOT_ACCESSIBLE' });
    expect(sim.devices.get(target)).toBeUndefined();
    const sync = await call(sim, 'POST', '/devices/sync', { session, body: { cursor } });
    expect(sync.json.devices).toMatchObject([{ serial_number: target, op_type: 'deleted' }]);
  });

  it('activation lock: SUCCESS, then DEVICE_ALREADY_LOCKED; NOT_ACCESSIBLE; malformed body', async () => {
    const sim = createDepSimulator({
      devices: 20,
      platforms: { iPhone: 1, iPad: 0, Mac: 0, AppleTV: 0, Vision: 0 },
    });
    const session = sim.sessions.create();
    const [serial] = sim.devices.serials(1);
    const lock = (body: unknown) => call(sim, 'POST', '/device/activationlock', { session, body });
    expect((await lock({ device: serial, escrow_key: 'ab'.repeat(32) })).json).toEqual({
      serial_number: serial,
      response_status: 'SUCCESS',
    });
    expect((await lock({ device: serial })).json.response_status).toBe('DEVICE_ALREADY_LOCKED');
    expect((await lock({ device: 'NOTOURS00000' })).json.response_status).toBe('NOT_ACCESSIBLE');
    expect((await lock({ escrow_key: 'x' })).text).toBe('MALFORMED_REQUEST_BODY');
  });

  it('replacement details need protocol 10 and link a replaced device to its original', async () => {
    const sim = createDepSimulator({ devices: 10, now: () => Date.UTC(2026, 4, 6, 12) });
    const session = sim.sessions.create();
    const { cursor, serials } = await fetchAll(sim, session);
    const old = serials[2] as string;
    const fresh = sim.devices.replace(old);
    expect(fresh.is_replacement_device).toBe(true);
    const query = { device: fresh.serial_number };
    const v9 = await call(sim, 'GET', '/device/replacementDetails', {
      session,
      protocol: 9,
      query,
    });
    expect(v9.status).toBe(404);
    const v10 = await call(sim, 'GET', '/device/replacementDetails', { session, query });
    expect(v10.json).toEqual({
      serial_number: fresh.serial_number,
      original_device_serial_number: old,
      replacement_date: '2026-05-06',
    });
    const notReplacement = await call(sim, 'GET', '/device/replacementDetails', {
      session,
      query: { device: serials[0] as string },
    });
    expect(notReplacement.status).toBe(404);
    expect(notReplacement.text).toBe('DEVICE_NOT_FOUND');
    const sync = await call(sim, 'POST', '/devices/sync', { session, body: { cursor } });
    expect(sync.json.devices[0]).toMatchObject({
      serial_number: old,
      op_type: 'deleted',
      released_by_replacement: true,
    });
    const v9sync = await call(sim, 'POST', '/devices/sync', {
      session,
      protocol: 9,
      body: { cursor },
    });
    expect(v9sync.json.devices[0].released_by_replacement).toBeUndefined();
  });
});

describe('serial lists are data, not object keys', () => {
  // `__proto__`, `constructor` and `toString` used to vanish from the per-serial maps: the
  // handlers built them with `map[serial] = …` and tested duplicates with `serial in map`.
  const ODD = ['__proto__', 'constructor', 'toString'];

  it.each([
    ['POST', '/devices/disown'],
    ['DELETE', '/profile/devices'],
  ])('%s %s answers every serial', async (method, path) => {
    const sim = createDepSimulator({ devices: 3, seed: 1 });
    const res = await call(sim, method, path, {
      session: sim.sessions.create(),
      body: { devices: ODD },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json.devices).sort()).toEqual([...ODD].sort());
    for (const serial of ODD) expect(res.json.devices[serial]).toBe('NOT_ACCESSIBLE');
  });

  it('assign-profile and device details answer every serial', async () => {
    const sim = createDepSimulator({ devices: 3, seed: 1 });
    const session = sim.sessions.create();
    const defined = await call(sim, 'POST', '/profile', {
      session,
      body: { profile_name: 'P', url: 'https://mdm.example.com/enroll' },
    });
    const assigned = await call(sim, 'POST', '/profile/devices', {
      session,
      body: { profile_uuid: defined.json.profile_uuid, devices: ODD },
    });
    expect(Object.keys(assigned.json.devices).sort()).toEqual([...ODD].sort());
    const details = await call(sim, 'POST', '/devices', { session, body: { devices: ODD } });
    expect(Object.keys(details.json.devices).sort()).toEqual([...ODD].sort());
    for (const serial of ODD) {
      expect(details.json.devices[serial]).toEqual({
        serial_number: serial,
        response_status: 'NOT_ACCESSIBLE',
      });
    }
  });
});
