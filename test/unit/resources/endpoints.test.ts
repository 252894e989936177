import { delay, HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  CursorRequiredError,
  InvalidArgumentError,
  NotFoundError,
  ProfileValidationError,
} from '../../../src/index.js';
import { BASE, device, serials } from '../../msw/fixtures.js';
import { sessionHandler, useAde } from '../../msw/server.js';
import { ACCOUNT, makeClient } from '../client/helpers.js';

const ade = useAde();
const body = (path: string, i = 0): Promise<unknown> => ade.json(path, i);

/** Answers a serial-list request with `status(serial)` for each serial (or omits it for undefined). */
function statusMap(serialsSent: string[], status: (s: string) => string | undefined) {
  const out: Record<string, string> = {};
  for (const s of serialsSent) {
    const v = status(s);
    if (v !== undefined) out[s] = v;
  }
  return out;
}

describe('endpoints', () => {
  it('getAccount keeps unknown fields and the urls capability list', async () => {
    const account = {
      ...ACCOUNT,
      urls: [
        { uri: '/server/devices', http_method: ['POST'], limit: { default: 100, maximum: 1000 } },
      ],
      future_field: 'kept',
    };
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/account`, () => HttpResponse.json(account)),
    );
    await expect(makeClient().getAccount()).resolves.toEqual(account);
  });

  it('fetchDevices posts cursor and a clamped limit; syncDevices requires a cursor', async () => {
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/server/devices`, () =>
        HttpResponse.json({
          devices: [device('A')],
          cursor: 'c1',
          more_to_follow: false,
          fetched_until: '2024-05-01T00:00:00Z',
        }),
      ),
      http.post(`${BASE}/devices/sync`, () => new HttpResponse('CURSOR_REQUIRED', { status: 400 })),
    );
    const client = makeClient();
    const page = await client.fetchDevices({ limit: 5000 });
    expect(page.devices?.[0]?.serial_number).toBe('A');
    expect(await body('/server/devices')).toEqual({ limit: 1000 });
    await client.fetchDevices({ cursor: 'c0' });
    expect(await body('/server/devices', 1)).toEqual({ cursor: 'c0', limit: 100 });
    await expect(client.syncDevices({ cursor: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.syncDevices({ cursor: 'x' })).rejects.toBeInstanceOf(CursorRequiredError);
  });

  it('getDeviceDetails splits >1000 serials, merges records and reports missing serials', async () => {
    const list = serials(2500);
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/devices`, async ({ request }) => {
        const { devices } = (await request.json()) as { devices: string[] };
        const out: Record<string, unknown> = {};
        for (const s of devices) {
          if (s !== 'SN001234') out[s] = { ...device(s), response_status: 'SUCCESS' };
        }
        return HttpResponse.json({ devices: out });
      }),
    );
    const result = await makeClient().getDeviceDetails([...list, 'SN000001']);
    expect(ade.count('/devices')).toBe(3);
    expect(
      ade
        .requests('/devices')
        .map((r) => (JSON.parse(r.body) as { devices: string[] }).devices.length)
        .sort(),
    ).toEqual([1000, 1000, 500]);
    expect(Object.keys(result.devices)).toHaveLength(2499);
    expect(result.missing).toEqual(['SN001234']);
    expect(result.devices['SN000001']?.response_status).toBe('SUCCESS');
  });

  it('assignProfile: POST by default, chunks of 1000, THROTTLED with the largest retry_after_seconds', async () => {
    const list = serials(2001);
    let chunkNo = 0;
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/profile/devices`, async ({ request }) => {
        const { devices, profile_uuid } = (await request.json()) as {
          devices: string[];
          profile_uuid: string;
        };
        chunkNo += 1;
        const wait = chunkNo === 1 ? 30 : chunkNo === 2 ? 120 : undefined;
        return HttpResponse.json({
          profile_uuid,
          devices: statusMap(devices, (s) =>
            s === 'SN000002'
              ? undefined
              : s.endsWith('7')
                ? 'THROTTLED'
                : s.endsWith('9')
                  ? 'NOT_ACCESSIBLE'
                  : 'SUCCESS',
          ),
          ...(wait === undefined ? {} : { retry_after_seconds: wait }),
        });
      }),
    );
    const result = await makeClient().assignProfile('PROFILE-1', list);
    expect(ade.count('/profile/devices', 'POST')).toBe(3);
    expect(result.profile_uuid).toBe('PROFILE-1');
    expect(result.devices['SN000007']).toBe('THROTTLED');
    expect(result.devices['SN000009']).toBe('NOT_ACCESSIBLE');
    expect(result.devices['SN002001']).toBe('SUCCESS');
    expect(result.missing).toEqual(['SN000002']);
    expect(result.retry_after_seconds).toBe(120);
  });

  it('assignProfile uses PUT when configured and bounds concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    ade.server.use(
      sessionHandler(),
      http.put(`${BASE}/profile/devices`, async ({ request }) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await delay(10);
        inFlight -= 1;
        const { devices } = (await request.json()) as { devices: string[] };
        return HttpResponse.json({ devices: statusMap(devices, () => 'SUCCESS') });
      }),
    );
    const result = await makeClient({ assignProfileMethod: 'PUT', concurrency: 2 }).assignProfile(
      'P',
      serials(5000),
    );
    expect(ade.count('/profile/devices', 'PUT')).toBe(5);
    expect(peak).toBe(2);
    expect(result.missing).toEqual([]);
    expect(result.retry_after_seconds).toBeUndefined();
  });

  it('removeProfile sends DELETE with a JSON body; disownDevices merges results', async () => {
    ade.server.use(
      sessionHandler(),
      http.delete(`${BASE}/profile/devices`, async ({ request }) => {
        const { devices } = (await request.json()) as { devices: string[] };
        return HttpResponse.json({ devices: statusMap(devices, () => 'SUCCESS') });
      }),
      http.post(`${BASE}/devices/disown`, async ({ request }) => {
        const { devices } = (await request.json()) as { devices: string[] };
        return HttpResponse.json({
          devices: statusMap(devices, (s) => (s === 'B' ? 'FAILED' : 'SUCCESS')),
        });
      }),
    );
    const client = makeClient();
    await expect(client.removeProfile(['A', 'B', 'A'], { profileUuid: 'P' })).resolves.toEqual({
      devices: { A: 'SUCCESS', B: 'SUCCESS' },
      missing: [],
    });
    expect(await body('/profile/devices')).toEqual({ devices: ['A', 'B'], profile_uuid: 'P' });
    await expect(client.disownDevices(['A', 'B'])).resolves.toEqual({
      devices: { A: 'SUCCESS', B: 'FAILED' },
      missing: [],
    });
    await expect(client.disownDevices(['A', ''])).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('defineProfile validates locally and sends nothing when invalid', async () => {
    await expect(
      makeClient().defineProfile({ profile_name: '', url: 'nope' }),
    ).rejects.toBeInstanceOf(ProfileValidationError);
    expect(ade.seen).toHaveLength(0);
  });

  it('defineProfile with >1000 devices defines with 1000 and assigns the rest', async () => {
    const list = serials(1500);
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/profile`, async ({ request }) => {
        const { devices } = (await request.json()) as { devices: string[] };
        return HttpResponse.json({
          profile_uuid: 'NEWUUID',
          devices: statusMap(devices, () => 'SUCCESS'),
        });
      }),
      http.post(`${BASE}/profile/devices`, async ({ request }) => {
        const { devices } = (await request.json()) as { devices: string[] };
        return HttpResponse.json({ devices: statusMap(devices, () => 'SUCCESS') });
      }),
    );
    const result = await makeClient().defineProfile({
      profile_name: 'Staff',
      url: 'https://mdm.example.com/enroll',
      devices: list,
    });
    expect(result.profile_uuid).toBe('NEWUUID');
    expect(Object.keys(result.devices)).toHaveLength(1500);
    expect(result.missing).toEqual([]);
    expect(((await body('/profile')) as { devices: string[] }).devices).toHaveLength(1000);
    expect(await body('/profile/devices')).toMatchObject({ profile_uuid: 'NEWUUID' });
  });

  it('defineProfile keeps the new UUID when assigning the devices beyond 1000 fails', async () => {
    // The profile exists once POST /profile succeeded. Throwing away its UUID because the
    // follow-up assign failed made callers define it again: an orphan per retry.
    const list = serials(1500);
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/profile`, async ({ request }) => {
        const { devices } = (await request.json()) as { devices: string[] };
        return HttpResponse.json({
          profile_uuid: 'NEWUUID',
          devices: statusMap(devices, () => 'SUCCESS'),
        });
      }),
      http.post(`${BASE}/profile/devices`, () => new HttpResponse('oops', { status: 500 })),
    );
    const logs: unknown[] = [];
    const log = (entry: unknown) => logs.push(entry);
    const logger = { debug: log, info: log, warn: log, error: log };
    const result = await makeClient({ retry: { limit: 1, baseDelayMs: 1 }, logger }).defineProfile({
      profile_name: 'Staff',
      url: 'https://mdm.example.com/enroll',
      devices: list,
    });
    expect(result.profile_uuid).toBe('NEWUUID');
    expect(Object.keys(result.devices)).toHaveLength(1000);
    expect(result.missing).toEqual(list.slice(1000));
    expect(ade.count('/profile', 'POST')).toBe(1);
    expect(logs).toContainEqual(
      expect.objectContaining({ event: 'profile.assign_rest_failed', code: 'SERVER_ERROR' }),
    );
  });

  it('getProfile sends profile_uuid as a query parameter; unknown UUID is NotFoundError', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/profile`, ({ request }) => {
        const uuid = new URL(request.url).searchParams.get('profile_uuid');
        return uuid === 'P1'
          ? HttpResponse.json({
              profile_uuid: 'P1',
              profile_name: 'Staff',
              url: 'https://x',
              skip_setup_items: ['Siri'],
            })
          : new HttpResponse('PROFILE_NOT_FOUND', { status: 404 });
      }),
    );
    const client = makeClient();
    await expect(client.getProfile('P1')).resolves.toMatchObject({
      profile_uuid: 'P1',
      skip_setup_items: ['Siri'],
    });
    const err = await client.getProfile('P2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ appleCode: 'PROFILE_NOT_FOUND', status: 404 });
  });

  it('activationLock sends escrow_key and lost_message', async () => {
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/device/activationlock`, () =>
        HttpResponse.json({ serial_number: 'S1', response_status: 'DEVICE_ALREADY_LOCKED' }),
      ),
    );
    await expect(
      makeClient().activationLock({ device: 'S1', escrowKey: 'abcd', lostMessage: 'call IT' }),
    ).resolves.toEqual({
      serial_number: 'S1',
      response_status: 'DEVICE_ALREADY_LOCKED',
    });
    expect(await body('/device/activationlock')).toEqual({
      device: 'S1',
      escrow_key: 'abcd',
      lost_message: 'call IT',
    });
  });

  it('getBetaEnrollmentTokens reads both the current and the older key', async () => {
    const tokens = [{ title: 'iOS Beta', token: 'tok', os: 'iOS' }];
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/os-beta-enrollment/tokens`, () =>
        HttpResponse.json({ betaEnrollmentTokens: tokens }),
      ),
    );
    await expect(makeClient().getBetaEnrollmentTokens()).resolves.toEqual(tokens);
    ade.server.use(
      http.get(`${BASE}/os-beta-enrollment/tokens`, () =>
        HttpResponse.json({ seedBuildTokens: tokens }),
      ),
    );
    await expect(makeClient().getBetaEnrollmentTokens()).resolves.toEqual(tokens);
  });

  it('account-driven enrollment: get, set (empty 200), remove', async () => {
    const path = `${BASE}/account-driven-enrollment/profile`;
    ade.server.use(
      sessionHandler(),
      http.get(path, () =>
        HttpResponse.json({
          mdm_service_discovery_url: 'https://mdm.example.com/.well-known',
          last_updated_timestamp: '2024-01-01T00:00:00Z',
        }),
      ),
      http.post(path, () => new HttpResponse(null, { status: 200 })),
      http.delete(path, () => new HttpResponse('', { status: 200 })),
    );
    const client = makeClient();
    await expect(client.getAccountDrivenEnrollmentProfile()).resolves.toMatchObject({
      mdm_service_discovery_url: 'https://mdm.example.com/.well-known',
    });
    await expect(
      client.setAccountDrivenEnrollmentProfile('https://mdm.example.com/sd'),
    ).resolves.toBeUndefined();
    expect(
      await ade.requests('/account-driven-enrollment/profile').find((r) => r.method === 'POST')
        ?.bodyText,
    ).toBe(JSON.stringify({ mdm_service_discovery_url: 'https://mdm.example.com/sd' }));
    await expect(client.removeAccountDrivenEnrollmentProfile()).resolves.toBeUndefined();
    expect(ade.count('/account-driven-enrollment/profile', 'DELETE')).toBe(1);
  });

  it('getReplacementDetails queries by device; DEVICE_NOT_FOUND (400 or 404) is NotFoundError', async () => {
    ade.server.use(
      sessionHandler(),
      http.get(`${BASE}/device/replacementDetails`, ({ request }) => {
        const serial = new URL(request.url).searchParams.get('device');
        if (serial === 'NEW1') {
          return HttpResponse.json({
            serial_number: 'NEW1',
            original_device_serial_number: 'OLD1',
            replacement_date: '2025-02-03',
          });
        }
        return new HttpResponse('DEVICE_NOT_FOUND', { status: serial === 'X' ? 400 : 404 });
      }),
    );
    const client = makeClient();
    await expect(client.getReplacementDetails('NEW1')).resolves.toMatchObject({
      original_device_serial_number: 'OLD1',
    });
    await expect(client.getReplacementDetails('X')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.getReplacementDetails('Y')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rejects bad arguments before sending anything', async () => {
    const client = makeClient();
    await expect(client.assignProfile('', ['A'])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.getProfile('')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.activationLock({ device: '' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(client.getDeviceDetails([])).resolves.toEqual({ devices: {}, missing: [] });
    expect(ade.seen).toHaveLength(0);
  });
});
