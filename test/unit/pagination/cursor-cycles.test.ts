import { describe, expect, it } from 'vitest';
import type { AbmLogger } from '../../../src/internal/logger.js';
import {
  DEFAULT_MAX_PAGES,
  type DevicePage,
  type DevicePageSource,
  iterateDevicePages,
} from '../../../src/pagination/device-pages.js';
import type { DeviceListRequest, DeviceListResponse } from '../../../src/resources/device-list.js';

/**
 * Cursor cycles and the page bound, on the state machine alone: `answer` maps the cursor sent to
 * Apple's answer. Loops are cut at 50 pages so that a regression fails instead of hanging.
 */
function source(
  answer: (endpoint: 'fetch' | 'sync', cursor: string | undefined) => DeviceListResponse,
) {
  const sent: string[] = [];
  const warnings: Record<string, unknown>[] = [];
  const noop = () => {};
  const logger: AbmLogger = {
    error: noop,
    info: noop,
    debug: noop,
    warn: (obj: object | string) => {
      if (typeof obj === 'object') warnings.push(obj as Record<string, unknown>);
    },
  };
  const call = (endpoint: 'fetch' | 'sync') => async (request: DeviceListRequest) => {
    sent.push(`${endpoint}:${request.cursor ?? '-'}`);
    return answer(endpoint, request.cursor);
  };
  const src: DevicePageSource = { fetch: call('fetch'), sync: call('sync'), logger };
  return { src, sent, warnings };
}

async function collect(pages: AsyncIterable<DevicePage>): Promise<DevicePage[]> {
  const out: DevicePage[] = [];
  for await (const page of pages) {
    out.push(page);
    if (out.length >= 50) break;
  }
  return out;
}

describe('device pages: cursor cycles and the page bound', () => {
  it('stops when Apple cycles back to a cursor sent earlier (A, B, C, A)', async () => {
    const next: Record<string, string> = { '-': 'A', A: 'B', B: 'C', C: 'A' };
    const s = source((_e, cursor) => ({ cursor: next[cursor ?? '-'], more_to_follow: true }));
    const pages = await collect(iterateDevicePages(s.src));
    expect(pages.map((p) => [p.cursor, p.stalled])).toEqual([
      ['A', false],
      ['B', false],
      ['C', false],
      ['A', true],
    ]);
    expect(s.sent).toEqual(['fetch:-', 'fetch:A', 'fetch:B', 'fetch:C']);
    expect(s.warnings).toEqual([
      expect.objectContaining({ event: 'cursor.stalled', reason: 'cycle' }),
    ]);
  });

  it('tells phases apart: the fetch cursor handed to sync is not a cycle', async () => {
    const s = source((endpoint, cursor) =>
      endpoint === 'fetch'
        ? { cursor: 'X', more_to_follow: false }
        : cursor === 'X'
          ? { cursor: 'Y', more_to_follow: true }
          : { cursor: 'Z', more_to_follow: false },
    );
    const pages = await collect(iterateDevicePages(s.src));
    expect(pages.map((p) => [p.phase, p.cursor, p.stalled])).toEqual([
      ['fetch', 'X', false],
      ['sync', 'Y', false],
      ['sync', 'Z', false],
    ]);
  });

  it('stops after maxPages pages when the server always has more', async () => {
    let n = 0;
    const s = source(() => ({ cursor: `c${++n}`, more_to_follow: true }));
    const pages = await collect(iterateDevicePages(s.src, { maxPages: 3 }));
    expect(pages.map((p) => [p.cursor, p.stalled])).toEqual([
      ['c1', false],
      ['c2', false],
      ['c3', true],
    ]);
    expect(s.warnings).toEqual([
      expect.objectContaining({ event: 'cursor.stalled', reason: 'maxPages', pages: 3 }),
    ]);
  });

  it('ignores an unusable maxPages (the default applies) and ends normally under the bound', async () => {
    expect(DEFAULT_MAX_PAGES).toBe(10_000);
    for (const maxPages of [0, -1, Number.NaN]) {
      let n = 0;
      const s = source(() => ({ cursor: `c${++n}`, more_to_follow: n < 4 }));
      const pages = await collect(iterateDevicePages(s.src, { maxPages }));
      // 4 fetch pages, then one sync page (no more_to_follow) ends the iteration.
      expect(pages.map((p) => p.stalled)).toEqual([false, false, false, false, false]);
    }
  });

  it('a page with more_to_follow but no cursor at all stops as before', async () => {
    const s = source(() => ({ devices: [], more_to_follow: true }));
    const pages = await collect(iterateDevicePages(s.src));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ stalled: true, cursor: undefined });
  });
});
