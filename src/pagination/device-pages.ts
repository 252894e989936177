import { AbortError, isAbmError } from '../errors/index.js';
import type { AbmLogger } from '../internal/logger.js';
import {
  clampLimit,
  type DeviceListRequest,
  type DeviceListResponse,
} from '../resources/device-list.js';
import type { AdeDevice } from '../schemas/device.js';

/** Which ADE endpoint produced a page: `fetch` (full list) or `sync` (changes). */
export type DevicePhase = 'fetch' | 'sync';

/** One page yielded by {@link AbmClient.devicePages}. */
export interface DevicePage {
  /** `fetch` for full-list pages, `sync` for change pages (which carry `op_type`). */
  phase: DevicePhase;
  /** The devices on this page, oldest operation first. */
  devices: AdeDevice[];
  /**
   * The cursor after this page. Persist it once the page is applied; passing it back as
   * `cursor` resumes right after this page.
   */
  cursor: string | undefined;
  /** Whether Apple has more pages right now. */
  moreToFollow: boolean;
  /** Apple's `fetched_until`, when present. */
  fetchedUntil: string | undefined;
  /**
   * `true` when the stored cursor was rejected (`EXPIRED_CURSOR` / `INVALID_CURSOR`) and a full
   * fetch restarted: devices already seen will be delivered again. Set on every page after the
   * restart.
   */
  restarted: boolean;
  /**
   * `true` when the iterator stops after this page although Apple said `more_to_follow: true`:
   * Apple answered with the cursor it was sent, or with a cursor already sent earlier in this
   * iteration (a cycle such as A, B, A, B), or the iteration reached `maxPages`. Apply the page;
   * the next run continues from its cursor.
   */
  stalled: boolean;
}

/** Options of {@link AbmClient.devicePages} and {@link AbmClient.devices}. */
export interface DevicePagesOptions {
  /**
   * A cursor stored from an earlier page. Without it, a full fetch starts. With it, the iterator
   * continues where that cursor stands (fetch, then sync once Apple says `EXHAUSTED_CURSOR`).
   */
  cursor?: string;
  /**
   * Where the cursor came from, if known: `sync` skips the `EXHAUSTED_CURSOR` round trip.
   * @default 'fetch'
   */
  phase?: DevicePhase;
  /** Devices per page, clamped to 1..1000. @default 100 */
  limit?: number;
  /** Stops the iteration (the current request is aborted). */
  signal?: AbortSignal;
  /**
   * Most pages one iteration reads before it stops (the last page then has `stalled: true`), so
   * that no server can keep a run going forever. At the default page size that is a million
   * devices; raise it for larger organisations with small pages. @default 10000
   */
  maxPages?: number;
  /**
   * End the iteration with the page that completes a fetch (`more_to_follow: false` in the fetch
   * phase) instead of continuing with a sync from its cursor. An MDM that stores that cursor and
   * syncs on a schedule gets what changed meanwhile with its next sync, one request later than
   * otherwise. @default false
   */
  stopAfterFetch?: boolean;
}

/** Default of {@link DevicePagesOptions.maxPages}. */
export const DEFAULT_MAX_PAGES = 10_000;

/** The two calls the iterator needs. @internal */
export interface DevicePageSource {
  fetch(request: DeviceListRequest, signal: AbortSignal | undefined): Promise<DeviceListResponse>;
  sync(request: DeviceListRequest, signal: AbortSignal | undefined): Promise<DeviceListResponse>;
  logger: AbmLogger;
}

/**
 * The fetch → sync cursor state machine as an async generator. Holds one page at a time.
 * @internal
 */
export async function* iterateDevicePages(
  source: DevicePageSource,
  options: DevicePagesOptions = {},
): AsyncGenerator<DevicePage, void, undefined> {
  const limit = clampLimit(options.limit);
  const signal = options.signal;
  let cursor = options.cursor === '' ? undefined : options.cursor;
  let phase: DevicePhase = cursor === undefined ? 'fetch' : (options.phase ?? 'fetch');
  let restarted = false;
  const maxPages =
    options.maxPages !== undefined && options.maxPages >= 1
      ? Math.floor(options.maxPages)
      : DEFAULT_MAX_PAGES;
  // Every (phase, cursor) sent so far: a server answering with one of them again would be
  // answered the same way forever (A, B, A, B …), not only when it repeats the last one.
  const sentCursors = new Set<string>();
  let pages = 0;

  for (;;) {
    if (signal?.aborted) {
      throw new AbortError('Device iteration was aborted by the caller.', {
        operation: 'devicePages',
      });
    }
    const sent = cursor;
    if (sent !== undefined) sentCursors.add(`${phase}\u0000${sent}`);
    const request: DeviceListRequest = sent === undefined ? { limit } : { cursor: sent, limit };
    let response: DeviceListResponse;
    try {
      response =
        phase === 'fetch'
          ? await source.fetch(request, signal)
          : await source.sync(request, signal);
    } catch (error) {
      if (isAbmError(error, 'CURSOR_EXHAUSTED') && phase === 'fetch' && sent !== undefined) {
        source.logger.debug(
          { event: 'cursor.exhausted', cursor: sent },
          'abmkit: fetch cursor exhausted; switching to sync',
        );
        phase = 'sync';
        continue;
      }
      if (
        (isAbmError(error, 'CURSOR_EXPIRED') || isAbmError(error, 'CURSOR_INVALID')) &&
        sent !== undefined &&
        !restarted
      ) {
        source.logger.warn(
          { event: 'cursor.reset', reason: error.code },
          'abmkit: cursor rejected; restarting with a full fetch (devices will be re-delivered)',
        );
        cursor = undefined;
        phase = 'fetch';
        restarted = true;
        continue;
      }
      throw error;
    }

    const next = response.cursor ?? sent;
    const moreToFollow = response.more_to_follow === true;
    pages += 1;
    const cycled = moreToFollow && next !== undefined && sentCursors.has(`${phase}\u0000${next}`);
    const capped = moreToFollow && pages >= maxPages;
    const stalled = moreToFollow && (next === sent || cycled || capped);
    source.logger.debug(
      {
        event: 'page',
        phase,
        devices: response.devices?.length ?? 0,
        cursor: next,
        moreToFollow,
      },
      'abmkit: device page',
    );
    yield {
      phase,
      devices: response.devices ?? [],
      cursor: next,
      moreToFollow,
      fetchedUntil: response.fetched_until ?? undefined,
      restarted,
      stalled,
    };
    if (stalled) {
      source.logger.warn(
        { event: 'cursor.stalled', phase, pages, reason: capped && !cycled ? 'maxPages' : 'cycle' },
        capped && !cycled
          ? `abmkit: ${pages} pages read (maxPages); stopping until the next run`
          : 'abmkit: Apple returned a cursor it was already sent, with more_to_follow; stopping until the next run',
      );
      return;
    }
    cursor = next;
    if (moreToFollow) continue;
    if (phase === 'fetch' && cursor !== undefined && options.stopAfterFetch !== true) {
      phase = 'sync';
      continue;
    }
    return;
  }
}
