import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { type AbmError, isAbmError } from '../../../src/index.js';
import { BASE } from '../../msw/fixtures.js';
import { sessionHandler, useAde } from '../../msw/server.js';
import { makeClient } from './helpers.js';

const ade = useAde();

const NO_RETRY = { limit: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1, jitter: false };

/** `C0000000` … serials (8 characters, valid for profiles), `count` of them. */
function serials(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `C${String(i).padStart(7, '0')}`);
}

/** The serials of a request body. */
async function devicesOf(request: Request): Promise<string[]> {
  return ((await request.json()) as { devices: string[] }).devices;
}

/** A `{serial: status}` map answering every serial of a chunk. */
function answer(devices: readonly string[], status = 'SUCCESS'): Record<string, string> {
  return Object.fromEntries(devices.map((serial) => [serial, status]));
}

/** The rejection of `promise`, which must reject with an abmkit error. */
async function rejection(promise: Promise<unknown>): Promise<AbmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAbmError(error)) throw new Error(`expected an AbmError, got ${String(error)}`);
  return error;
}

/** Every serial is in exactly one of `devices` and `pending`, and together they cover `all`. */
function expectPartition(error: AbmError, all: readonly string[]): void {
  const partial = error.partialResult;
  expect(partial).toBeDefined();
  if (!partial) return;
  const answered = Object.keys(partial.devices);
  const overlap = answered.filter((serial) => partial.pending.includes(serial));
  expect(overlap).toEqual([]);
  expect([...answered, ...partial.pending].sort()).toEqual([...all].sort());
}

describe('serial-list calls keep what succeeded when a later chunk fails', () => {
  it('disownDevices: 500 on the 2nd chunk keeps the 1st chunk answers and lists 1500 pending', async () => {
    const all = serials(2500);
    const failing = all[1000];
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/devices/disown`, async ({ request }) => {
        const devices = await devicesOf(request);
        if (devices.includes(failing as string)) {
          return new HttpResponse('internal error', { status: 500 });
        }
        return HttpResponse.json({ devices: answer(devices) });
      }),
    );
    const client = makeClient({ concurrency: 1, retry: NO_RETRY });
    const error = await rejection(client.disownDevices(all));

    expect(error.code).toBe('SERVER_ERROR');
    expect(error.partialResult?.devices).toEqual(answer(all.slice(0, 1000)));
    expect([...(error.partialResult?.pending ?? [])].sort()).toEqual(all.slice(1000).sort());
    expectPartition(error, all);
    expect(error.message).toContain('1000 serials were answered before the failure');
    expect(error.toJSON()['partialResult']).toEqual({ answered: 1000, pending: 1500 });
    // The third chunk was never sent once the second failed.
    expect(ade.count('/devices/disown')).toBe(2);
    // Not enumerable: spreading or serialising the error does not dump 2500 serials.
    expect(Object.keys(error)).not.toContain('partialResult');
    expect(JSON.stringify(error)).not.toContain(all[0]);
  });

  it('disownDevices with concurrency 4: every serial is either answered or pending', async () => {
    const all = serials(2500);
    const failing = all[1000];
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/devices/disown`, async ({ request }) => {
        const devices = await devicesOf(request);
        if (devices.includes(failing as string)) {
          return new HttpResponse('internal error', { status: 500 });
        }
        return HttpResponse.json({ devices: answer(devices) });
      }),
    );
    const client = makeClient({ concurrency: 4, retry: NO_RETRY });
    const error = await rejection(client.disownDevices(all));

    expect(error.code).toBe('SERVER_ERROR');
    expectPartition(error, all);
    const partial = error.partialResult;
    // The failed chunk is pending; whatever was answered is reported with Apple's status.
    expect(partial?.pending).toEqual(expect.arrayContaining(all.slice(1000, 2000)));
    expect(partial?.devices).toMatchObject(answer(all.slice(0, 1000)));
    for (const status of Object.values(partial?.devices ?? {})) expect(status).toBe('SUCCESS');
  });

  it('assignProfile: a 403 T_C_NOT_SIGNED on a later chunk keeps TERMS_NOT_SIGNED and carries partialResult', async () => {
    const all = serials(2001);
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/profile/devices`, async ({ request }) => {
        const devices = await devicesOf(request);
        if (devices.includes(all[2000] as string)) {
          return new HttpResponse('T_C_NOT_SIGNED', { status: 403 });
        }
        return HttpResponse.json({ profile_uuid: 'P1', devices: answer(devices) });
      }),
    );
    const client = makeClient({ concurrency: 2, retry: NO_RETRY });
    const error = await rejection(client.assignProfile('P1', all));

    expect(isAbmError(error, 'TERMS_NOT_SIGNED')).toBe(true);
    expect(error.partialResult?.devices).toEqual(answer(all.slice(0, 2000)));
    expect(error.partialResult?.pending).toEqual([all[2000]]);
    expectPartition(error, all);
  });

  it('a single-chunk failure has no partialResult', async () => {
    const all = serials(10);
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/devices/disown`, () => new HttpResponse('boom', { status: 500 })),
    );
    const error = await rejection(makeClient({ retry: NO_RETRY }).disownDevices(all));
    expect(error.code).toBe('SERVER_ERROR');
    expect(error.partialResult).toBeUndefined();
    expect(error.toJSON()).not.toHaveProperty('partialResult');
    expect(error.message).not.toContain('partialResult');
  });

  it('a multi-chunk call where no chunk succeeded has no partialResult', async () => {
    const all = serials(1500);
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/devices`, () => new HttpResponse('T_C_NOT_SIGNED', { status: 403 })),
    );
    const error = await rejection(
      makeClient({ concurrency: 2, retry: NO_RETRY }).getDeviceDetails(all),
    );
    expect(isAbmError(error, 'TERMS_NOT_SIGNED')).toBe(true);
    expect(error.partialResult).toBeUndefined();
  });

  it('removeProfile: a failing 1st chunk with concurrency 2 keeps the 2nd chunk answers', async () => {
    const all = serials(1200);
    ade.server.use(
      sessionHandler(),
      http.delete(`${BASE}/profile/devices`, async ({ request }) => {
        const devices = await devicesOf(request);
        if (devices.includes(all[0] as string)) {
          return new HttpResponse('ACCESS_DENIED', { status: 403 });
        }
        return HttpResponse.json({ devices: answer(devices, 'NOT_ACCESSIBLE') });
      }),
    );
    const error = await rejection(
      makeClient({ concurrency: 2, retry: NO_RETRY }).removeProfile(all),
    );
    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.partialResult?.devices).toEqual(answer(all.slice(1000), 'NOT_ACCESSIBLE'));
    expect([...(error.partialResult?.pending ?? [])]).toEqual(all.slice(0, 1000));
  });

  it('defineProfile: answers of assign-the-rest chunks that succeeded stay in devices', async () => {
    const all = serials(2500);
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/profile`, async ({ request }) => {
        const devices = await devicesOf(request);
        return HttpResponse.json({ profile_uuid: 'P9', devices: answer(devices) });
      }),
      http.post(`${BASE}/profile/devices`, async ({ request }) => {
        const devices = await devicesOf(request);
        if (devices.includes(all[2000] as string)) {
          return new HttpResponse('T_C_NOT_SIGNED', { status: 403 });
        }
        return HttpResponse.json({ profile_uuid: 'P9', devices: answer(devices) });
      }),
    );
    const result = await makeClient({ concurrency: 1, retry: NO_RETRY }).defineProfile({
      profile_name: 'Staff',
      url: 'https://mdm.example.com/enroll',
      devices: all,
    });
    expect(result.profile_uuid).toBe('P9');
    expect(result.devices).toEqual(answer(all.slice(0, 2000)));
    expect(result.missing).toEqual(all.slice(2000));
  });
});
