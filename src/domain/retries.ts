import type { AssignmentRetryRecord, Page } from '../storage/types.js';
import { encodeCursor } from './paging.js';

/**
 * The due-retries rule: of `candidates`, the entries due at `now` (`nextAttemptAt <= now`;
 * `NOT_ACCESSIBLE` entries are never due) after position `after`, ordered by due time then
 * serial, one page of `limit` with a cursor `[nextAttemptAt, serial]` when more follow. Every
 * adapter's candidates go through it, so a store may return a superset. @internal
 */
export function dueRetryPage(
  candidates: readonly AssignmentRetryRecord[],
  now: string,
  after: readonly [string, string] | null,
  limit: number,
): Page<AssignmentRetryRecord> {
  const due = candidates
    .filter((r): r is AssignmentRetryRecord & { nextAttemptAt: string } => {
      const at = r.nextAttemptAt;
      if (at === null || at > now) return false;
      return after === null || at > after[0] || (at === after[0] && r.serialNumber > after[1]);
    })
    .sort((a, b) =>
      a.nextAttemptAt === b.nextAttemptAt
        ? a.serialNumber < b.serialNumber
          ? -1
          : 1
        : a.nextAttemptAt < b.nextAttemptAt
          ? -1
          : 1,
    );
  const items = due.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      due.length > limit && last ? encodeCursor([last.nextAttemptAt, last.serialNumber]) : null,
  };
}
