import { describe, expect, it } from 'vitest';
import { createDepSimulator } from '../../../../src/testing/index.js';
import { call, fetchAll } from './helpers.js';

const VALID = { profile_name: 'Staff devices', url: 'https://mdm.example.com/enroll' };

function setup(options: Parameters<typeof createDepSimulator>[0] = {}) {
  let now = Date.parse('2026-03-02T10:00:00Z');
  const sim = createDepSimulator({ devices: 1500, seed: 2, now: () => now, ...options });
  return { sim, session: sim.sessions.create(), advance: (ms: number) => (now += ms) };
}

describe('define profile (POST /profile): Apple’s validation strings', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['missing name', { url: VALID.url }, 'CONFIG_NAME_REQUIRED'],
    ['empty name', { ...VALID, profile_name: '' }, 'CONFIG_NAME_REQUIRED'],
    [
      'name over 125 characters',
      { ...VALID, profile_name: 'é'.repeat(126) },
      'CONFIG_NAME_INVALID',
    ],
    ['missing url', { profile_name: 'x' }, 'CONFIG_URL_REQUIRED'],
    ['url not a URL', { ...VALID, url: 'not a url' }, 'CONFIG_URL_INVALID'],
    [
      'url over 2000 encoded characters',
      { ...VALID, url: `https://a.example/${'x'.repeat(2000)}` },
      'CONFIG_URL_INVALID',
    ],
    [
      'http configuration_web_url',
      { ...VALID, configuration_web_url: 'http://a.example' },
      'CONFIG_URL_INVALID',
    ],
    ['department over 125', { ...VALID, department: 'd'.repeat(126) }, 'DEPARTMENT_INVALID'],
    ['not removable without supervision', { ...VALID, is_mdm_removable: false }, 'FLAGS_INVALID'],
    ['flag of the wrong type', { ...VALID, is_supervised: 'yes' }, 'FLAGS_INVALID'],
    ['org_magic over 256', { ...VALID, org_magic: 'm'.repeat(257) }, 'MAGIC_INVALID'],
    ['bad support e-mail', { ...VALID, support_email_address: 'nobody' }, 'SUPPORT_EMAIL_INVALID'],
    [
      'support e-mail over 250',
      { ...VALID, support_email_address: `${'a'.repeat(245)}@x.com` },
      'SUPPORT_EMAIL_INVALID',
    ],
    [
      'support phone over 50',
      { ...VALID, support_phone_number: '1'.repeat(51) },
      'SUPPORT_PHONE_INVALID',
    ],
    ['bad language', { ...VALID, language: 'English' }, 'LOCALE_INVALID'],
    ['bad region', { ...VALID, region: 'usa' }, 'LOCALE_INVALID'],
    ['not JSON', 'nope' as unknown as Record<string, unknown>, 'MALFORMED_REQUEST_BODY'],
  ];
  it.each(cases)('%s → 400 %s', async (_name, body, code) => {
    const { sim, session } = setup();
    const res = await call(sim, 'POST', '/profile', { session, body });
    expect(res.status).toBe(400);
    expect(res.text).toBe(code);
    expect(sim.profiles.list()).toEqual([]);
  });

  it('accepts a full valid profile, returns a 32-hex UUID, and GET returns it', async () => {
    const { sim, session } = setup();
    const profile = {
      ...VALID,
      profile_name: 'p'.repeat(125),
      is_supervised: true,
      is_mdm_removable: false,
      department: 'IT',
      org_magic: 'magic',
      support_email_address: 'help@example.com',
      support_phone_number: '+1 408 555 0100',
      language: 'en',
      region: 'US',
      skip_setup_items: ['Siri', 'SomeFutureKey'],
      await_device_configured: true,
    };
    const res = await call(sim, 'POST', '/profile', { session, body: profile });
    expect(res.status).toBe(200);
    expect(res.json.profile_uuid).toMatch(/^[0-9A-F]{32}$/);
    expect(res.json.devices).toEqual({});
    const got = await call(sim, 'GET', '/profile', {
      session,
      query: { profile_uuid: res.json.profile_uuid },
    });
    expect(got.json).toEqual({ ...profile, profile_uuid: res.json.profile_uuid });
  });

  it('GET: 400 PROFILE_UUID_REQUIRED without a uuid, 404 PROFILE_NOT_FOUND for an unknown one', async () => {
    const { sim, session } = setup();
    expect((await call(sim, 'GET', '/profile', { session })).text).toBe('PROFILE_UUID_REQUIRED');
    const missing = await call(sim, 'GET', '/profile', {
      session,
      query: { profile_uuid: 'ABCDEF' },
    });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('PROFILE_NOT_FOUND');
  });

  it('assigns the devices listed at define time', async () => {
    const { sim, session } = setup();
    const [a] = sim.devices.serials(1);
    const res = await call(sim, 'POST', '/profile', {
      session,
      body: { ...VALID, devices: [a, 'NOTOURS00000'] },
    });
    expect(res.json.devices).toEqual({ [a as string]: 'SUCCESS', NOTOURS00000: 'NOT_ACCESSIBLE' });
    expect(sim.devices.get(a as string)?.profile_uuid).toBe(res.json.profile_uuid);
  });
});

describe('assign / remove profile', () => {
  async function defined(sim: ReturnType<typeof setup>['sim'], session: string) {
    return (await call(sim, 'POST', '/profile', { session, body: VALID })).json
      .profile_uuid as string;
  }

  it.each(['PUT', 'POST'])(
    'assigns with %s, updates the device, and sync reports modified',
    async (method) => {
      const { sim, session } = setup();
      const { cursor } = await fetchAll(sim, session);
      const uuid = await defined(sim, session);
      const [a, b] = sim.devices.serials(2) as [string, string];
      const res = await call(sim, method, '/profile/devices', {
        session,
        body: { profile_uuid: uuid, devices: [a, b, 'NOTOURS00000'] },
      });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        profile_uuid: uuid,
        devices: { [a]: 'SUCCESS', [b]: 'SUCCESS', NOTOURS00000: 'NOT_ACCESSIBLE' },
      });
      expect(res.json.retry_after_seconds).toBeUndefined();
      const device = sim.devices.get(a);
      expect(device).toMatchObject({ profile_uuid: uuid, profile_status: 'assigned' });
      expect(device?.profile_assign_time).toBe('2026-03-02T10:00:00Z');
      const sync = await call(sim, 'POST', '/devices/sync', { session, body: { cursor } });
      expect(sync.json.devices).toMatchObject([
        { serial_number: a, op_type: 'modified', profile_status: 'assigned', profile_uuid: uuid },
        { serial_number: b, op_type: 'modified', profile_status: 'assigned', profile_uuid: uuid },
      ]);
      expect(sim.requests.at(-2)).toMatchObject({ endpoint: 'assignProfile', serialsIn: 3 });
    },
  );

  it('validates the request: PROFILE_UUID_REQUIRED, DEVICE_ID_REQUIRED, 404 unknown profile', async () => {
    const { sim, session } = setup();
    const uuid = await defined(sim, session);
    const put = (body: unknown) => call(sim, 'PUT', '/profile/devices', { session, body });
    expect((await put({ devices: ['A'] })).text).toBe('PROFILE_UUID_REQUIRED');
    expect((await put({ profile_uuid: uuid })).text).toBe('DEVICE_ID_REQUIRED');
    expect((await put({ profile_uuid: uuid, devices: [] })).text).toBe('DEVICE_ID_REQUIRED');
    const unknown = await put({ profile_uuid: 'FFFF', devices: ['A'] });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('PROFILE_NOT_FOUND');
  });

  it('refuses more than 1000 serials per request with 400, and accepts exactly 1000', async () => {
    const { sim, session } = setup();
    const uuid = await defined(sim, session);
    const serials = sim.devices.serials(1001);
    const over = await call(sim, 'PUT', '/profile/devices', {
      session,
      body: { profile_uuid: uuid, devices: serials },
    });
    expect(over.status).toBe(400);
    expect(sim.devices.get(serials[0] as string)?.profile_status).toBe('empty');
    const ok = await call(sim, 'PUT', '/profile/devices', {
      session,
      body: { profile_uuid: uuid, devices: serials.slice(0, 1000) },
    });
    expect(ok.status).toBe(200);
    expect(Object.values(ok.json.devices).every((s) => s === 'SUCCESS')).toBe(true);
  });

  it('reports forced FAILED results and leaves those devices unchanged', async () => {
    const { sim, session } = setup();
    const uuid = await defined(sim, session);
    const [a, b] = sim.devices.serials(2) as [string, string];
    sim.devices.setAssignOutcome([b], 'FAILED');
    const res = await call(sim, 'PUT', '/profile/devices', {
      session,
      body: { profile_uuid: uuid, devices: [a, b] },
    });
    expect(res.json.devices).toEqual({ [a]: 'SUCCESS', [b]: 'FAILED' });
    expect(sim.devices.get(b)?.profile_status).toBe('empty');
  });

  it('throttles by protocol version: FAILED below 9, THROTTLED at 9, retry_after_seconds from 10', async () => {
    const { sim, session, advance } = setup({
      throttle: { maxSerialsPerWindow: 2, windowMs: 60_000, retryAfterSeconds: 90 },
    });
    const uuid = await defined(sim, session);
    const serials = sim.devices.serials(12);
    const assign = (protocol: number, devices: string[]) =>
      call(sim, 'PUT', '/profile/devices', {
        session,
        protocol,
        body: { profile_uuid: uuid, devices },
      });

    const v8 = await assign(8, serials.slice(0, 3));
    expect(Object.values(v8.json.devices)).toEqual(['SUCCESS', 'SUCCESS', 'FAILED']);
    advance(60_000);
    const v9 = await assign(9, serials.slice(3, 6));
    expect(Object.values(v9.json.devices)).toEqual(['SUCCESS', 'SUCCESS', 'THROTTLED']);
    expect(v9.json.retry_after_seconds).toBeUndefined();
    advance(60_000);
    const v10 = await assign(10, serials.slice(6, 9));
    expect(Object.values(v10.json.devices)).toEqual(['SUCCESS', 'SUCCESS', 'THROTTLED']);
    expect(v10.json.retry_after_seconds).toBe(90);
    // Still inside the window: everything is throttled; after it, the retry succeeds.
    expect(Object.values((await assign(10, [serials[8] as string])).json.devices)).toEqual([
      'THROTTLED',
    ]);
    advance(60_000);
    expect(Object.values((await assign(10, [serials[8] as string])).json.devices)).toEqual([
      'SUCCESS',
    ]);
  });

  it('forced THROTTLED works without a throttle window', async () => {
    const { sim, session } = setup();
    const uuid = await defined(sim, session);
    const [a] = sim.devices.serials(1) as [string];
    sim.devices.setAssignOutcome([a], 'THROTTLED');
    const res = await call(sim, 'POST', '/profile/devices', {
      session,
      body: { profile_uuid: uuid, devices: [a] },
    });
    expect(res.json).toEqual({
      profile_uuid: uuid,
      devices: { [a]: 'THROTTLED' },
      retry_after_seconds: 60,
    });
  });

  it('removes profiles with DELETE and a JSON body; sync reports modified/removed', async () => {
    const { sim, session } = setup();
    const uuid = await defined(sim, session);
    const [a] = sim.devices.serials(1) as [string];
    await call(sim, 'PUT', '/profile/devices', {
      session,
      body: { profile_uuid: uuid, devices: [a] },
    });
    sim.devices.markPushed([a]);
    expect(sim.devices.get(a)?.profile_status).toBe('pushed');
    const { cursor } = await fetchAll(sim, session);
    const res = await call(sim, 'DELETE', '/profile/devices', {
      session,
      body: { devices: [a, 'NOTOURS00000'] },
    });
    expect(res.json.devices).toEqual({ [a]: 'SUCCESS', NOTOURS00000: 'NOT_ACCESSIBLE' });
    expect(sim.devices.get(a)?.profile_status).toBe('removed');
    expect(sim.devices.get(a)?.profile_uuid).toBeUndefined();
    const sync = await call(sim, 'POST', '/devices/sync', { session, body: { cursor } });
    expect(sync.json.devices).toMatchObject([
      { serial_number: a, op_type: 'modified', profile_status: 'removed' },
    ]);
    expect((await call(sim, 'DELETE', '/profile/devices', { session, body: {} })).text).toBe(
      'DEVICE_ID_REQUIRED',
    );
  });
});
