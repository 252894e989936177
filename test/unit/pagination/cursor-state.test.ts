import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CursorExhaustedError } from '../../../src/errors/index.js';
import type { AbmLogger } from '../../../src/internal/logger.js';
import {
  type DevicePage,
  type DevicePageSource,
  iterateDevicePages,
} from '../../../src/pagination/device-pages.js';
import type { DeviceListRequest, DeviceListResponse } from '../../../src/resources/device-list.js';

/**
 * The cursor state machine on its own, driven by a scripted source (no HTTP): each call takes
 * the next scripted answer of its endpoint; an `Error` answer is thrown.
 */
type Answer = DeviceListResponse | Error;
type Call = { endpoint: 'fetch' | 'sync'; request: DeviceListRequest };

function scripted(script: { fetch?: Answer[]; sync?: Answer[] }) {
  const calls: Call[] = [];
  const debug: Record<string, unknown>[] = [];
  const queues = { fetch: [...(script.fetch ?? [])], sync: [...(script.sync ?? [])] };
  const answer = async (endpoint: 'fetch' | 'sync', request: DeviceListRequest) => {
    calls.push({ endpoint, request });
    const next = queues[endpoint].shift();
    if (next === undefined) throw new Error(`unscripted ${endpoint} call`);
    if (next instanceof Error) throw next;
    return next;
  };
  const noop = () => {};
  const logger: AbmLogger = {
    error: noop,
    warn: noop,
    info: noop,
    debug: (obj: object | string) => {
      if (typeof obj === 'object') debug.push(obj as Record<string, unknown>);
    },
  };
  const source: DevicePageSource = {
    fetch: (request) => answer('fetch', request),
    sync: (request) => answer('sync', request),
    logger,
  };
  return { source, calls, debug };
}

async function collect(iterable: AsyncIterable<DevicePage>): Promise<DevicePage[]> {
  const pages: DevicePage[] = [];
  for await (const page of iterable) pages.push(page);
  return pages;
}

const dev = (serial: string) => ({ serial_number: serial }) as never;

describe('iterateDevicePages: cursor state', () => {
  it('treats an empty stored cursor as no cursor: a full fetch, whatever phase was stored', async () => {
    const { source, calls } = scripted({
      fetch: [{ devices: [dev('A')], cursor: 'c1', more_to_follow: false }],
      sync: [{ devices: [], cursor: 'c2', more_to_follow: false }],
    });
    const pages = await collect(iterateDevicePages(source, { cursor: '', phase: 'sync' }));
    expect(calls).toEqual([
      { endpoint: 'fetch', request: { limit: 100 } },
      { endpoint: 'sync', request: { cursor: 'c1', limit: 100 } },
    ]);
    expect(pages.map((p) => [p.phase, p.cursor])).toEqual([
      ['fetch', 'c1'],
      ['sync', 'c2'],
    ]);
  });

  it.each([
    ['absent', {}],
    ['null', { cursor: null }],
  ])('keeps the cursor it sent when a page carries no cursor (%s)', async (_name, extra) => {
    const { source, calls } = scripted({
      sync: [{ devices: [dev('A')], more_to_follow: false, ...extra }],
    });
    const pages = await collect(iterateDevicePages(source, { cursor: 'stored', phase: 'sync' }));
    // The position to persist is never lost: it is the one the page was asked with.
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ cursor: 'stored', stalled: false, moreToFollow: false });
    expect(calls).toHaveLength(1);
  });

  it('treats a cursor-less page with more_to_follow as a stall, not an endless loop', async () => {
    const { source, calls } = scripted({
      sync: [{ devices: [dev('A')], more_to_follow: true }],
    });
    const pages = await collect(iterateDevicePages(source, { cursor: 'stored', phase: 'sync' }));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ cursor: 'stored', stalled: true, moreToFollow: true });
    expect(calls).toHaveLength(1);
  });

  it('does not sync after a fetch that produced no cursor at all (sync would need one)', async () => {
    const { source, calls } = scripted({ fetch: [{ devices: [dev('A')] }] });
    const pages = await collect(iterateDevicePages(source));
    expect(pages).toEqual([
      {
        phase: 'fetch',
        devices: [dev('A')],
        cursor: undefined,
        moreToFollow: false,
        fetchedUntil: undefined,
        restarted: false,
        stalled: false,
      },
    ]);
    expect(calls.map((c) => c.endpoint)).toEqual(['fetch']);
  });

  it.each([
    ['absent', {}],
    ['null', { devices: null }],
  ])('yields an empty device list when a page has no devices (%s)', async (_name, extra) => {
    const { source, debug } = scripted({
      sync: [{ cursor: 'next', more_to_follow: false, fetched_until: null, ...extra }],
    });
    const pages = await collect(iterateDevicePages(source, { cursor: 'stored', phase: 'sync' }));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ devices: [], cursor: 'next', fetchedUntil: undefined });
    expect(debug).toContainEqual(expect.objectContaining({ event: 'page', devices: 0 }));
  });

  it('does not treat EXHAUSTED_CURSOR on a cursor-less fetch as a switch to sync', async () => {
    const exhausted = new CursorExhaustedError('exhausted');
    const { source, calls } = scripted({ fetch: [exhausted] });
    await expect(collect(iterateDevicePages(source))).rejects.toBe(exhausted);
    expect(calls.map((c) => c.endpoint)).toEqual(['fetch']);
  });

  it('always asks with the cursor of the page it last yielded, and always terminates', async () => {
    const pageArb = fc.record(
      {
        devices: fc.constant<DeviceListResponse['devices']>([]),
        cursor: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }),
        more_to_follow: fc.boolean(),
      },
      { requiredKeys: ['devices', 'more_to_follow'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(pageArb, { maxLength: 12 }), async (syncPages) => {
        const script: Answer[] = [...syncPages, { devices: [], more_to_follow: false }];
        const { source, calls } = scripted({ sync: script });
        const pages = await collect(iterateDevicePages(source, { cursor: 'start', phase: 'sync' }));
        expect(pages.length).toBeLessThanOrEqual(script.length);
        let expected = 'start';
        pages.forEach((page, i) => {
          expect(calls[i]?.request.cursor).toBe(expected);
          expect(page.cursor).toBeDefined();
          expected = page.cursor ?? expected;
        });
        expect(calls).toHaveLength(pages.length);
        const last = pages.at(-1);
        expect(last?.stalled || last?.moreToFollow === false).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
