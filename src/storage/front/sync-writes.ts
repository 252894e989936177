import { normaliseResult, planAssignmentResults } from '../../domain/assignments.js';
import { collapsePage } from '../../domain/devices.js';
import { pagePlans } from '../../domain/pages.js';
import { decodeRetryCursor, pageLimit } from '../../domain/paging.js';
import { dueRetryPage } from '../../domain/retries.js';
import { checkIso, checkTokenId } from '../../domain/validate.js';
import type { StorageAdapter } from '../adapter.js';
import type { FaultInjection } from '../fault-injection.js';
import type {
  ApplyPageInput,
  ApplyPageResult,
  AssignmentResultInput,
  AssignmentRetryRecord,
  IsoDateTime,
  LeaseFence,
  Page,
  PageQuery,
} from '../types.js';

/** The input with `lastFullFetchAt` normalised (when given). @internal */
export function withLastFullFetch<T extends { lastFullFetchAt?: IsoDateTime | undefined }>(
  input: T,
): T {
  return input.lastFullFetchAt === undefined
    ? input
    : { ...input, lastFullFetchAt: checkIso(input.lastFullFetchAt, 'lastFullFetchAt') };
}

/**
 * `applyPage` through the front: the page collapsed and checked, its plans indexed, the crash
 * hook handed to the store. @internal
 */
export function writePage(
  adapter: StorageAdapter,
  input: ApplyPageInput,
  faults: FaultInjection | undefined,
): Promise<ApplyPageResult> {
  const tokenId = checkTokenId(input?.tokenId);
  const devices = collapsePage(input.devices);
  const plans = pagePlans(input);
  const { plans: _ignored, ...rest } = withLastFullFetch(input);
  const betweenWrites = async (): Promise<void> => {
    await faults?.betweenWrites?.('applyPage', tokenId);
  };
  return adapter.cursors.applyPage({ ...rest, devices, plans }, betweenWrites);
}

/** `recordAssignmentResults` through the front: results checked and planned per serial. @internal */
export async function recordResults(
  adapter: StorageAdapter,
  tokenId: string,
  results: readonly AssignmentResultInput[],
  fence: LeaseFence | undefined,
): Promise<void> {
  checkTokenId(tokenId);
  const normalised = results.map(normaliseResult);
  if (normalised.length === 0 && fence === undefined) return;
  const at = await adapter.now();
  const plans = planAssignmentResults(normalised, at);
  const scoped = fence === undefined ? undefined : { ...fence, tokenId };
  await adapter.retries.record(tokenId, plans, at, scoped);
}

/** `listDueRetries` through the front: the store's candidates, paged by `dueRetryPage`. @internal */
export async function dueRetries(
  adapter: StorageAdapter,
  tokenId: string,
  query: PageQuery & { now?: IsoDateTime | undefined },
): Promise<Page<AssignmentRetryRecord>> {
  checkTokenId(tokenId);
  const limit = pageLimit(query);
  const after = query.cursor === undefined ? null : decodeRetryCursor(query.cursor);
  const now = query.now === undefined ? await adapter.now() : checkIso(query.now, 'now');
  const candidates = await adapter.retries.due(tokenId, { now, after, limit });
  return dueRetryPage(candidates, now, after, limit);
}
