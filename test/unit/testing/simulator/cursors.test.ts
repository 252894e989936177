import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDepSimulator } from '../../../../src/testing/index.js';
import { call, fetchAll, type Loose } from './helpers.js';

const START = Date.parse('2026-03-02T10:00:00Z');
const DAY = 86_400_000;

function setup(devices = 250, extra: Parameters<typeof createDepSimulator>[0] = {}) {
  let now = START;
  const sim = createDepSimulator({ devices, seed: 5, now: () => now, ...extra });
  const session = sim.sessions.create();
  return { sim, session, advance: (ms: number) => (now += ms) };
}

describe('fetch (POST /server/devices)', () => {
  it('pages with the default limit of 100 and more_to_follow, then EXHAUSTED_CURSOR', async () => {
    const { sim, session } = setup(250);
    const first = await call(sim, 'POST', '/server/devices', { session, body: {} });
    expect(first.status).toBe(200);
    expect(first.json.devices).toHaveLength(100);
    expect(first.json.more_to_follow).toBe(true);
    expect(first.json.fetched_until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(first.json.cursor).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(first.json.devices[0].op_type).toBeUndefined();
    const second = await call(sim, 'POST', '/server/devices', {
      session,
      body: { cursor: first.json.cursor },
    });
    expect(second.json.devices).toHaveLength(100);
    const third = await call(sim, 'POST', '/server/devices', {
      session,
      body: { cursor: second.json.cursor },
    });
    expect(third.json.devices).toHaveLength(50);
    expect(third.json.more_to_follow).toBe(false);
    const exhausted = await call(sim, 'POST', '/server/devices', {
      session,
      body: { cursor: third.json.cursor },
    });
    expect(exhausted.status).toBe(400);
    expect(exhausted.text).toBe('EXHAUSTED_CURSOR');
    // Pages are ordered by assignment date, oldest first, with no duplicate serials.
    const all = [...first.json.devices, ...second.json.devices, ...third.json.devices];
    expect(new Set(all.map((d) => d.serial_number)).size).toBe(250);
    const dates = all.map((d) => d.device_assigned_date as string);
    expect([...dates].sort()).toEqual(dates);
  });

  it('clamps limit to the maximum of 1000 by default', async () => {
    const { sim, session } = setup(1500);
    const res = await call(sim, 'POST', '/server/devices', { session, body: { limit: 5000 } });
    expect(res.json.devices).toHaveLength(1000);
    expect(res.json.more_to_follow).toBe(true);
  });

  it('can reject an over-limit page size with 400 instead', async () => {
    const { sim, session } = setup(10, { limits: { overLimit: 'reject' } });
    const res = await call(sim, 'POST', '/server/devices', { session, body: { limit: 1001 } });
    expect(res.status).toBe(400);
    expect(res.text).toBe('MALFORMED_REQUEST_BODY');
    const ok = await call(sim, 'POST', '/server/devices', { session, body: { limit: 1000 } });
    expect(ok.status).toBe(200);
  });

  it('answers INVALID_CURSOR for garbage, edited and pre-reset cursors', async () => {
    const { sim, session } = setup(20);
    const bad = await call(sim, 'POST', '/server/devices', {
      session,
      body: { cursor: 'bm9wZQ==' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe('INVALID_CURSOR');
    const page = await call(sim, 'POST', '/server/devices', { session, body: { limit: 5 } });
    const raw = Buffer.from(page.json.cursor, 'base64').toString('utf8');
    const edited = Buffer.from(raw.replace('.5.', '.6.'), 'utf8').toString('base64');
    expect(
      (await call(sim, 'POST', '/server/devices', { session, body: { cursor: edited } })).text,
    ).toBe('INVALID_CURSOR');
    sim.reset();
    const fresh = sim.sessions.create();
    const stale = await call(sim, 'POST', '/server/devices', {
      session: fresh,
      body: { cursor: page.json.cursor },
    });
    expect(stale.text).toBe('INVALID_CURSOR');
  });

  it('serves the same page twice for the same cursor (cursors are positions, not state)', async () => {
    const { sim, session } = setup(30);
    const first = await call(sim, 'POST', '/server/devices', { session, body: { limit: 10 } });
    const a = await call(sim, 'POST', '/server/devices', {
      session,
      body: { cursor: first.json.cursor, limit: 10 },
    });
    const b = await call(sim, 'POST', '/server/devices', {
      session,
      body: { cursor: first.json.cursor, limit: 10 },
    });
    expect(b.json.devices).toEqual(a.json.devices);
  });
});

describe('sync (POST /devices/sync)', () => {
  it('requires a cursor (CURSOR_REQUIRED)', async () => {
    const { sim, session } = setup(5);
    const res = await call(sim, 'POST', '/devices/sync', { session, body: {} });
    expect(res.status).toBe(400);
    expect(res.text).toBe('CURSOR_REQUIRED');
  });

  it('reports adds, modifies and removes after the fetch, with op_type and op_date, duplicates included', async () => {
    const { sim, session, advance } = setup(50);
    const { cursor, serials } = await fetchAll(sim, session, 100);
    expect(serials).toHaveLength(50);
    const target = serials[3] as string;
    advance(1000);
    const added = sim.devices.add({ platform: 'iPad' });
    advance(1000);
    sim.devices.modify(target, { asset_tag: 'TAG-1' });
    advance(1000);
    sim.devices.modify(target, { asset_tag: 'TAG-2' });
    advance(1000);
    sim.devices.remove(serials[4] as string);

    const res = await call(sim, 'POST', '/devices/sync', { session, body: { cursor } });
    expect(res.status).toBe(200);
    expect(res.json.more_to_follow).toBe(false);
    const ops = res.json.devices.map((d: Loose) => [d.serial_number, d.op_type]);
    expect(ops).toEqual([
      [added.serial_number, 'added'],
      [target, 'modified'],
      [target, 'modified'],
      [serials[4], 'deleted'],
    ]);
    const [addedEvent, mod1, mod2, deleted] = res.json.devices;
    expect(addedEvent.op_date).toBe(addedEvent.device_assigned_date);
    expect(mod1.asset_tag).toBe('TAG-1');
    expect(mod2.asset_tag).toBe('TAG-2');
    expect(Date.parse(mod2.op_date)).toBeGreaterThan(Date.parse(mod1.op_date));
    expect(deleted.released_by_replacement).toBe(false);

    // Nothing new: empty page, and the new cursor keeps working.
    const again = await call(sim, 'POST', '/devices/sync', {
      session,
      body: { cursor: res.json.cursor },
    });
    expect(again.json.devices).toEqual([]);
    expect(again.json.more_to_follow).toBe(false);
    // The removed device is gone from a new fetch; the added one is there.
    const refetch = await fetchAll(sim, session, 1000);
    expect(refetch.serials).toContain(added.serial_number);
    expect(refetch.serials).not.toContain(serials[4]);
  });

  it('pages sync results with limit and more_to_follow', async () => {
    const { sim, session } = setup(5);
    const { cursor } = await fetchAll(sim, session);
    for (let i = 0; i < 7; i++) sim.devices.add();
    const p1 = await call(sim, 'POST', '/devices/sync', { session, body: { cursor, limit: 5 } });
    expect(p1.json.devices).toHaveLength(5);
    expect(p1.json.more_to_follow).toBe(true);
    const p2 = await call(sim, 'POST', '/devices/sync', {
      session,
      body: { cursor: p1.json.cursor, limit: 5 },
    });
    expect(p2.json.devices).toHaveLength(2);
    expect(p2.json.more_to_follow).toBe(false);
  });

  it('answers EXPIRED_CURSOR for cursors older than 7 days of the simulator clock', async () => {
    const { sim, session, advance } = setup(5);
    const { cursor } = await fetchAll(sim, session);
    advance(7 * DAY - 1000);
    const s2 = sim.sessions.create();
    const fresh = await call(sim, 'POST', '/devices/sync', { session: s2, body: { cursor } });
    expect(fresh.status).toBe(200);
    sim.clock.advance(7 * DAY + 1000);
    const s3 = sim.sessions.create();
    // Both the fetch cursor and the one the sync returned are now older than 7 days.
    expect((await call(sim, 'POST', '/devices/sync', { session: s3, body: { cursor } })).text).toBe(
      'EXPIRED_CURSOR',
    );
    const renewed = await call(sim, 'POST', '/devices/sync', {
      session: s3,
      body: { cursor: fresh.json.cursor },
    });
    expect(renewed.text).toBe('EXPIRED_CURSOR');
  });

  it('expires a cursor exactly when it is more than 7 days old, to the millisecond', async () => {
    // Issued half a second past a whole second: a cursor that stored its issue time in whole
    // seconds looked 0.5 s older than it was and expired before its 7 days were up.
    const { sim, session, advance } = setup(5);
    advance(500);
    const { cursor } = await fetchAll(sim, session);
    advance(7 * DAY);
    const atSevenDays = await call(sim, 'POST', '/devices/sync', {
      session: sim.sessions.create(),
      body: { cursor },
    });
    expect(atSevenDays.status).toBe(200);
    advance(1);
    const justOver = await call(sim, 'POST', '/devices/sync', {
      session: sim.sessions.create(),
      body: { cursor },
    });
    expect(justOver.text).toBe('EXPIRED_CURSOR');
  });

  it('fetch with a sync cursor answers EXHAUSTED_CURSOR (switch to sync)', async () => {
    const { sim, session } = setup(5);
    const { cursor } = await fetchAll(sim, session);
    const synced = await call(sim, 'POST', '/devices/sync', { session, body: { cursor } });
    const res = await call(sim, 'POST', '/server/devices', {
      session,
      body: { cursor: synced.json.cursor },
    });
    expect(res.text).toBe('EXHAUSTED_CURSOR');
  });

  it('property: any sequence of changes is reported exactly once, in order, by sync', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('add', 'modify', 'remove'), { maxLength: 25 }),
        fc.integer({ min: 1, max: 7 }),
        async (ops, limit) => {
          const { sim, session } = setup(10);
          const { cursor } = await fetchAll(sim, session);
          const expected: [string, string][] = [];
          for (const op of ops) {
            const present = sim.devices.serials(1000);
            if (op === 'add' || present.length === 0) {
              expected.push([sim.devices.add().serial_number, 'added']);
            } else if (op === 'modify') {
              const s = present[0] as string;
              sim.devices.modify(s, { color: 'RED' });
              expected.push([s, 'modified']);
            } else {
              const s = present[present.length - 1] as string;
              sim.devices.remove(s);
              expected.push([s, 'deleted']);
            }
          }
          const seen: [string, string][] = [];
          let c = cursor;
          for (;;) {
            const res = await call(sim, 'POST', '/devices/sync', {
              session,
              body: { cursor: c, limit },
            });
            for (const d of res.json.devices) seen.push([d.serial_number, d.op_type]);
            c = res.json.cursor;
            if (!res.json.more_to_follow) break;
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});
