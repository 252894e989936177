import type { AdeDevice } from '../schemas/device.js';

/**
 * The slice of `AbmClient` the manager drives. Kept narrow so that the sync engine reads as
 * what it does with Apple, not how the client is built.
 * @internal
 */
export interface SyncApi {
  /** Pages of a full fetch (no cursor) or of a sync from `cursor` (see `AbmClient.devicePages`). */
  devicePages(options: {
    cursor?: string;
    phase?: 'fetch' | 'sync';
    limit?: number;
    signal?: AbortSignal;
    stopAfterFetch?: boolean;
  }): AsyncIterable<SyncApiPage>;
  /** Assigns `profileUuid` to `serials` (any number; the client splits them). */
  assignProfile(
    profileUuid: string,
    serials: readonly string[],
    options?: { signal?: AbortSignal },
  ): Promise<SyncApiAssignResult>;
  /** `GET /account`. */
  getAccount(options?: { signal?: AbortSignal }): Promise<object>;
}

/** One page as the manager consumes it. @internal */
export interface SyncApiPage {
  /** `fetch` (full snapshot) or `sync` (changes). */
  phase: 'fetch' | 'sync' | (string & {});
  /** The page's devices, oldest first. */
  devices: readonly AdeDevice[];
  /** The cursor to store once the page is applied. */
  cursor: string | null | undefined;
  /** Whether another page follows. */
  moreToFollow: boolean;
  /** Apple's `fetched_until`. */
  fetchedUntil?: string | null | undefined;
  /** The client restarted a full fetch (expired or invalid cursor): devices are re-delivered. */
  restarted?: boolean | undefined;
}

/** Per-serial outcome of an assignment, normalised. @internal */
export interface SyncApiAssignResult {
  /** Serial → Apple's status string. */
  devices: Readonly<Record<string, string>>;
  /** Apple's `retry_after_seconds` for `THROTTLED` serials, if given. */
  retry_after_seconds?: number | null | undefined;
  /** Serials Apple did not answer for. */
  missing?: readonly string[] | undefined;
}
