import { expect } from 'vitest';
import type { DepSimulator } from '../../../../src/testing/index.js';
import { sessionAuthorization, UA } from './helpers.js';

/**
 * One end-to-end conversation with plain `fetch` (no abmkit client), used by both front-end
 * tests: OAuth session, full fetch, define + assign, sync, details.
 */
export async function plainFetchScenario(sim: DepSimulator, baseUrl: string): Promise<void> {
  const creds = sim.tokens.create();
  const sessionRes = await fetch(`${baseUrl}/session`, {
    headers: {
      authorization: sessionAuthorization(sim, baseUrl, creds),
      'user-agent': UA,
      'x-server-protocol-version': '10',
    },
  });
  expect(sessionRes.status).toBe(200);
  const { auth_session_token: session } = (await sessionRes.json()) as {
    auth_session_token: string;
  };
  const headers = {
    'user-agent': UA,
    'x-server-protocol-version': '10',
    'x-adm-auth-session': session,
    'content-type': 'application/json;charset=UTF8',
  };
  const post = async (path: string, body: unknown, method = 'POST') => {
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
  };

  const serials: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await post('/server/devices', { limit: 40, ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    serials.push(...page.json.devices.map((d: { serial_number: string }) => d.serial_number));
    cursor = page.json.cursor;
    if (!page.json.more_to_follow) break;
  }
  expect(serials).toHaveLength(sim.devices.count);
  expect((await post('/server/devices', { cursor })).text).toBe('EXHAUSTED_CURSOR');

  const defined = await post('/profile', {
    profile_name: 'Fleet',
    url: 'https://mdm.example.com/enroll',
  });
  expect(defined.status).toBe(200);
  const uuid = defined.json.profile_uuid as string;
  const assigned = await post(
    '/profile/devices',
    { profile_uuid: uuid, devices: serials.slice(0, 3) },
    'PUT',
  );
  expect(Object.values(assigned.json.devices)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);

  const added = sim.devices.add();
  const sync = await post('/devices/sync', { cursor });
  expect(sync.json.devices.map((d: { op_type: string }) => d.op_type)).toEqual([
    'modified',
    'modified',
    'modified',
    'added',
  ]);
  expect(sync.json.devices[3].serial_number).toBe(added.serial_number);

  const details = await post('/devices', { devices: [serials[0]] });
  expect(details.json.devices[serials[0] as string]).toMatchObject({
    profile_uuid: uuid,
    profile_status: 'assigned',
    response_status: 'SUCCESS',
  });
}
