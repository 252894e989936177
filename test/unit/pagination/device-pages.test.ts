import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  CursorInvalidError,
  type DevicePage,
  isAbmError,
  ResponseValidationError,
} from '../../../src/index.js';
import { BASE, device, serials } from '../../msw/fixtures.js';
import { requireSession, sessionHandler, useAde } from '../../msw/server.js';
import { makeClient } from '../client/helpers.js';

const ade = useAde();

type Body = { cursor?: string; limit?: number };

/**
 * A fake with `total` devices served in pages of `limit`. Cursors are `f<offset>` during fetch;
 * fetching past the end answers EXHAUSTED_CURSOR; sync answers `syncPages` in order.
 */
function fakeAde(
  total: number,
  syncPages: Record<string, unknown>[] = [{ devices: [], more_to_follow: false }],
) {
  const all = serials(total);
  let syncIndex = 0;
  return [
    sessionHandler(),
    http.post(`${BASE}/server/devices`, async ({ request }) => {
      const body = (await request.json()) as Body;
      const offset = body.cursor ? Number(body.cursor.slice(1)) : 0;
      if (body.cursor?.startsWith('s')) return new HttpResponse('INVALID_CURSOR', { status: 400 });
      if (body.cursor && offset >= total)
        return new HttpResponse('EXHAUSTED_CURSOR', { status: 400 });
      const limit = body.limit ?? 100;
      const page = all.slice(offset, offset + limit);
      const next = offset + page.length;
      return HttpResponse.json({
        devices: page.map((s) => device(s)),
        cursor: `f${next}`,
        more_to_follow: next < total,
        fetched_until: '2024-05-01T00:00:00Z',
      });
    }),
    http.post(`${BASE}/devices/sync`, async ({ request }) => {
      const body = (await request.json()) as Body;
      const page = syncPages[syncIndex++] ?? { devices: [], more_to_follow: false };
      return HttpResponse.json({ cursor: `${body.cursor}+s${syncIndex}`, ...page });
    }),
  ];
}

async function collect(iterable: AsyncIterable<DevicePage>): Promise<DevicePage[]> {
  const pages: DevicePage[] = [];
  for await (const page of iterable) pages.push(page);
  return pages;
}

describe('devicePages', () => {
  it('runs a full fetch page by page, then one sync, carrying the cursor on every page', async () => {
    ade.server.use(
      ...fakeAde(250, [
        {
          devices: [device('NEW1', { op_type: 'added', op_date: '2024-05-02T00:00:00Z' })],
          more_to_follow: false,
        },
      ]),
    );
    const pages = await collect(makeClient().devicePages());
    expect(pages.map((p) => [p.phase, p.devices.length, p.cursor, p.moreToFollow])).toEqual([
      ['fetch', 100, 'f100', true],
      ['fetch', 100, 'f200', true],
      ['fetch', 50, 'f250', false],
      ['sync', 1, 'f250+s1', false],
    ]);
    expect(pages.every((p) => !p.restarted && !p.stalled)).toBe(true);
    expect(pages[0]?.fetchedUntil).toBe('2024-05-01T00:00:00Z');
    expect(await ade.json('/server/devices')).toEqual({ limit: 100 });
    expect(await ade.json('/devices/sync')).toEqual({ cursor: 'f250', limit: 100 });
  });

  it('stopAfterFetch ends with the page that completes the fetch: no sync request', async () => {
    let syncs = 0;
    ade.server.use(
      http.post(`${BASE}/devices/sync`, () => {
        syncs++;
        return HttpResponse.json({ devices: [], cursor: 'x', more_to_follow: false });
      }),
      ...fakeAde(250),
    );
    const pages = await collect(makeClient().devicePages({ stopAfterFetch: true }));
    expect(pages.map((p) => [p.phase, p.devices.length, p.cursor, p.moreToFollow])).toEqual([
      ['fetch', 100, 'f100', true],
      ['fetch', 100, 'f200', true],
      ['fetch', 50, 'f250', false],
    ]);
    expect(syncs).toBe(0);
    // A stored sync cursor is not affected: the sync pages come as before.
    const synced = await collect(
      makeClient().devicePages({ cursor: 'f250', phase: 'sync', stopAfterFetch: true }),
    );
    expect(synced.map((p) => p.phase)).toEqual(['sync']);
    expect(syncs).toBe(1);
  });

  it('clamps the limit to 1000', async () => {
    ade.server.use(...fakeAde(10));
    await collect(makeClient().devicePages({ limit: 50_000 }));
    expect(await ade.json('/server/devices')).toEqual({ limit: 1000 });
  });

  it('continues an unfinished fetch from a stored cursor', async () => {
    ade.server.use(...fakeAde(250));
    const pages = await collect(makeClient().devicePages({ cursor: 'f200' }));
    expect(pages.map((p) => [p.phase, p.devices.length])).toEqual([
      ['fetch', 50],
      ['sync', 0],
    ]);
  });

  it('switches to sync with the same cursor on EXHAUSTED_CURSOR', async () => {
    ade.server.use(
      ...fakeAde(250, [
        { devices: [device('A', { op_type: 'modified' })], more_to_follow: true },
        { devices: [], more_to_follow: false },
      ]),
    );
    const pages = await collect(makeClient().devicePages({ cursor: 'f250' }));
    expect(pages.map((p) => [p.phase, p.cursor])).toEqual([
      ['sync', 'f250+s1'],
      ['sync', 'f250+s1+s2'],
    ]);
    expect(ade.count('/server/devices')).toBe(1);
    expect(await ade.json('/devices/sync')).toEqual({ cursor: 'f250', limit: 100 });
  });

  it('skips the EXHAUSTED round trip when told the cursor came from sync', async () => {
    ade.server.use(...fakeAde(5));
    const pages = await collect(makeClient().devicePages({ cursor: 'f5', phase: 'sync' }));
    expect(pages.map((p) => p.phase)).toEqual(['sync']);
    expect(ade.count('/server/devices')).toBe(0);
  });

  it.each(['EXPIRED_CURSOR', 'INVALID_CURSOR'])(
    'restarts a full fetch on %s and says so',
    async (code) => {
      ade.server.use(...fakeAde(150));
      ade.server.use(
        http.post(`${BASE}/devices/sync`, () => new HttpResponse(code, { status: 400 }), {
          once: true,
        }),
      );
      const pages = await collect(makeClient().devicePages({ cursor: 'old', phase: 'sync' }));
      expect(pages.map((p) => [p.phase, p.devices.length, p.restarted])).toEqual([
        ['fetch', 100, true],
        ['fetch', 50, true],
        ['sync', 0, true],
      ]);
      expect(await ade.json('/server/devices')).toEqual({ limit: 100 });
    },
  );

  it('does not restart twice in one run', async () => {
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/devices/sync`, () => new HttpResponse('EXPIRED_CURSOR', { status: 400 })),
      http.post(`${BASE}/server/devices`, async ({ request }) => {
        const body = (await request.json()) as Body;
        return body.cursor
          ? new HttpResponse('INVALID_CURSOR', { status: 400 })
          : HttpResponse.json({ devices: [device('A')], cursor: 'c1', more_to_follow: true });
      }),
    );
    const seen: DevicePage[] = [];
    const err = await (async () => {
      for await (const page of makeClient().devicePages({ cursor: 'old', phase: 'sync' }))
        seen.push(page);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CursorInvalidError);
    expect(seen).toHaveLength(1);
  });

  it('stops instead of spinning when Apple repeats the cursor with more_to_follow', async () => {
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/devices/sync`, async ({ request }) => {
        const body = (await request.json()) as Body;
        return HttpResponse.json({
          devices: [device('A')],
          cursor: body.cursor,
          more_to_follow: true,
        });
      }),
    );
    const pages = await collect(makeClient().devicePages({ cursor: 'same', phase: 'sync' }));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ stalled: true, moreToFollow: true, cursor: 'same' });
    expect(ade.count('/devices/sync')).toBe(1);
  });

  it('survives session expiry mid-iteration (re-login and replay)', async () => {
    let calls = 0;
    const [session, fetchHandler, syncHandler] = fakeAde(300);
    ade.server.use(
      session!,
      http.post(`${BASE}/server/devices`, ({ request }) => {
        calls += 1;
        // Page 2 is the first call after the session "expires" server-side.
        return calls >= 2 ? requireSession(request, ['session-2']) : undefined;
      }),
      fetchHandler!,
      syncHandler!,
    );
    const pages = await collect(makeClient().devicePages());
    expect(pages.map((p) => p.devices.length)).toEqual([100, 100, 100, 0]);
    expect(ade.count('/session')).toBe(2);
    expect(ade.count('/server/devices')).toBe(4);
  });

  it('stops cleanly on break without further requests', async () => {
    ade.server.use(...fakeAde(1000));
    for await (const page of makeClient().devicePages()) {
      expect(page.devices).toHaveLength(100);
      break;
    }
    expect(ade.count('/server/devices')).toBe(1);
  });

  it('devices() yields each device once, in order', async () => {
    ade.server.use(...fakeAde(230));
    const got: string[] = [];
    for await (const d of makeClient().devices()) got.push(d.serial_number);
    expect(got).toEqual(serials(230));
  });

  it('aborts between pages through the signal', async () => {
    ade.server.use(...fakeAde(500));
    const controller = new AbortController();
    const err = await (async () => {
      for await (const _page of makeClient().devicePages({ signal: controller.signal }))
        controller.abort();
    })().catch((e: unknown) => e);
    expect(isAbmError(err, 'ABORTED')).toBe(true);
    expect(ade.count('/server/devices')).toBe(1);
  });

  it('refuses a page with a bad device, naming the device and field', async () => {
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/server/devices`, () =>
        HttpResponse.json({
          devices: [device('A1'), { ...device('A2'), os: 7 }],
          cursor: 'f2',
          more_to_follow: false,
        }),
      ),
    );
    const err = await collect(makeClient().devicePages()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseValidationError);
    const issues = (err as ResponseValidationError).issues.map((i) => i.path.join('.'));
    expect(issues).toEqual(['devices.1.os']);
  });

  it('hands over the page fields and unknown device fields unchanged', async () => {
    ade.server.use(
      sessionHandler(),
      http.post(`${BASE}/server/devices`, () =>
        HttpResponse.json({
          devices: [{ ...device('A1'), future_field: { x: 1 } }],
          cursor: 'f1',
          more_to_follow: false,
          fetched_until: '2024-05-01T00:00:00Z',
        }),
      ),
      http.post(`${BASE}/devices/sync`, () =>
        HttpResponse.json({ devices: null, cursor: 's1', more_to_follow: null }),
      ),
    );
    const pages = await collect(makeClient().devicePages());
    expect(pages[0]?.devices).toEqual([{ ...device('A1'), future_field: { x: 1 } }]);
    expect(pages[0]?.fetchedUntil).toBe('2024-05-01T00:00:00Z');
    expect(pages.map((p) => [p.phase, p.devices.length, p.cursor, p.moreToFollow])).toEqual([
      ['fetch', 1, 'f1', false],
      ['sync', 0, 's1', false],
    ]);
  });
});
