/**
 * The persistence interface an adapter implements: one small object per store, persistence only.
 *
 * {@link StorageBase} (the front) owns everything else: it checks every argument of every
 * {@link AbmStorage} method, seals and opens secrets, applies the domain rules of `src/domain/`
 * (page collapse and merge, assignment-result planning, plan normalisation, due-retry
 * ordering) and hands each store already-validated, already-normalised input. A store never
 * re-checks arguments and never re-derives a rule; it reads and writes.
 *
 * A new adapter is one class that builds these objects and passes them to `StorageBase`, plus
 * `describeStorageConformance` from `abmkit/testing` run against it.
 *
 * @module
 */

import type { SerialAssignmentPlan } from '../domain/assignments.js';
import type { ApiRecordKind } from './api-accounts/api-account-store-base.js';
import type {
  ApplyPageInput,
  ApplyPageResult,
  AssignmentRetryRecord,
  CursorRecord,
  DevicePatch,
  DeviceQuery,
  DeviceRecord,
  DeviceStatus,
  IsoDateTime,
  LeaseFence,
  LeaseGrant,
  MarkMissingInput,
  Page,
  PagePlanEntry,
  PageQuery,
  PolicyRecord,
  RetryQuery,
  SessionRecord,
  SetCursorInput,
  StorageCapabilities,
  SyncRunRecord,
  SyncRunStatus,
  TokenExpectation,
  TokenPatch,
  TokenQuery,
  TokenRecord,
} from './types.js';

// NOTE (redesign in progress): method names mirror the AbmStorage contract so adapters can be
// moved over store by store. Inputs are validated by the front before a store sees them; secret
// fields are sealed. Helpers refine the input shapes (e.g. a collapsed page, planned assignment
// results) as the rules move into src/domain/.

/** Tokens: documents whose secret fields arrive sealed. */
export interface TokenPersistence {
  /** Creates or shallow-patches the token. */
  save(tokenId: string, patch: TokenPatch): Promise<TokenRecord>;
  /** Atomic conditional patch: `null` when the stored token does not match `expect`. */
  update(tokenId: string, patch: TokenPatch, expect: TokenExpectation): Promise<TokenRecord | null>;
  /** The stored token, or `null`. */
  get(tokenId: string): Promise<TokenRecord | null>;
  /** Stored tokens matching `query`, paged. */
  list(query: TokenQuery): Promise<Page<TokenRecord>>;
  /** Deletes the token and everything scoped to it; whether it existed. */
  delete(tokenId: string): Promise<boolean>;
}

/** ADE sessions (sealed `sessionToken`). */
export interface SessionPersistence {
  /** Stores the session. */
  put(tokenId: string, session: { sessionToken: string; expiresAt: IsoDateTime }): Promise<void>;
  /** The stored session, or `null` when absent or expired. */
  get(tokenId: string): Promise<SessionRecord | null>;
  /** Removes the session. */
  delete(tokenId: string): Promise<void>;
}

/** Sync leases with fencing generations. */
export interface LeasePersistence {
  /** Takes the lease when free or expired; `null` when another owner holds it. */
  acquire(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null>;
  /** Extends a held lease; throws `LeaseLostError` when it is not held at `generation`. */
  renew(tokenId: string, owner: string, generation: number, ttlMs: number): Promise<LeaseGrant>;
  /** Releases a held lease; whether it was held. */
  release(tokenId: string, owner: string, generation: number): Promise<boolean>;
  /** The current lease, or `null`. */
  get(tokenId: string): Promise<LeaseGrant | null>;
}

/** Sync runs: history records. */
export interface RunPersistence {
  /** Starts a run record. */
  start(tokenId: string, input: { owner?: string | undefined }): Promise<SyncRunRecord>;
  /** Finishes a run record; `null` if unknown. */
  finish(
    tokenId: string,
    runId: string,
    result: {
      status: Exclude<SyncRunStatus, 'running'>;
      report?: Readonly<Record<string, unknown>> | undefined;
      error?: { code: string; message: string } | undefined;
    },
  ): Promise<SyncRunRecord | null>;
  /** Runs, newest first, paged. */
  list(tokenId: string, query: PageQuery): Promise<Page<SyncRunRecord>>;
  /** Keeps the newest `keep` runs; how many were removed. */
  prune(tokenId: string, keep: number): Promise<number>;
}

/** Policies (already normalised by the front). */
export interface PolicyPersistence {
  /** The stored policy, or `null`. */
  get(tokenId: string): Promise<PolicyRecord | null>;
  /** Stores the policy, bumping its revision. */
  set(tokenId: string, policy: unknown): Promise<PolicyRecord>;
}

/** Devices (reads and abmkit-tracked writes). Page application lives with the cursor. */
export interface DevicePersistence {
  /** One device, or `null`. */
  get(tokenId: string, serialNumber: string): Promise<DeviceRecord | null>;
  /** Several devices (missing serials left out). */
  getMany(tokenId: string, serialNumbers: readonly string[]): Promise<DeviceRecord[]>;
  /** Devices matching `query`, by serial, paged. */
  list(tokenId: string, query: DeviceQuery): Promise<Page<DeviceRecord>>;
  /** Counts per status. */
  count(tokenId: string): Promise<Record<DeviceStatus, number>>;
  /** Every token's record of this serial. */
  findBySerial(serialNumber: string): Promise<DeviceRecord[]>;
  /** Writes tracked fields; with a fence, refused unless the lease is current. */
  update(tokenId: string, patches: readonly DevicePatch[], fence?: LeaseFence): Promise<number>;
  /** Marks devices not seen by `fullFetchId` removed; their serials. */
  markMissingRemoved(input: MarkMissingInput): Promise<string[]>;
}

/** Retry queue entries. */
export interface RetryPersistence {
  /** Due entries (`nextAttemptAt <= now`), in due order, paged. */
  listDue(
    tokenId: string,
    query: PageQuery & { now: IsoDateTime },
  ): Promise<Page<AssignmentRetryRecord>>;
  /** Entries by serial, paged. */
  list(tokenId: string, query: RetryQuery): Promise<Page<AssignmentRetryRecord>>;
  /** Deletes entries; how many. */
  delete(tokenId: string, serialNumbers: readonly string[]): Promise<number>;
  /**
   * Writes planned assignment results (the front ran `planAssignmentResults`): sets the
   * assigned profile of each success, clears or upserts retry entries. With a fence, refused
   * unless the lease is current. `at` is the front's clock reading for `updatedAt`.
   */
  record(
    tokenId: string,
    plans: readonly SerialAssignmentPlan[],
    at: IsoDateTime,
    fence?: LeaseFence,
  ): Promise<void>;
}

/** Cursor of each token (page application, which moves it, is defined by the front's helper). */
export interface CursorPersistence {
  /** The cursor, or `null`. */
  get(tokenId: string): Promise<CursorRecord | null>;
  /** Compare-and-set of the cursor. */
  set(input: SetCursorInput): Promise<CursorRecord>;
  /** Forgets the cursor. */
  reset(tokenId: string): Promise<void>;
  /**
   * Applies one page: upserts the devices (already collapsed to one entry per serial and
   * checked by the front; per serial the latest `op_date` wins) and moves the cursor, all or
   * nothing where `capabilities.atomicPageApply`.
   */
  applyPage(
    input: ApplyPageInput,
    plans: ReadonlyMap<string, PagePlanEntry>,
  ): Promise<ApplyPageResult>;
}

/** API-account documents (see `ApiAccountStoreBase`). */
export interface ApiAccountPersistence {
  /** Stores (replaces) a document. */
  put(kind: ApiRecordKind, id: string, json: string): Promise<void>;
  /** The document, or `null`. */
  get(kind: ApiRecordKind, id: string): Promise<string | null>;
  /** Documents with ids after `after`, in id order. */
  list(
    kind: ApiRecordKind,
    after: string | undefined,
    limit: number,
  ): Promise<{ id: string; json: string }[]>;
  /** Deletes a document; whether it existed. */
  delete(kind: ApiRecordKind, id: string): Promise<boolean>;
}

/** Everything an adapter provides: one object per store, plus its clock and lifecycle. */
export interface StorageAdapter {
  /** What the adapter guarantees. */
  readonly capabilities: StorageCapabilities;
  /** Token documents. */
  readonly tokens: TokenPersistence;
  /** Sessions. */
  readonly sessions: SessionPersistence;
  /** Leases. */
  readonly leases: LeasePersistence;
  /** Cursors. */
  readonly cursors: CursorPersistence;
  /** Devices. */
  readonly devices: DevicePersistence;
  /** Retry queue. */
  readonly retries: RetryPersistence;
  /** Sync runs. */
  readonly runs: RunPersistence;
  /** Policies. */
  readonly policies: PolicyPersistence;
  /** Business API account documents. */
  readonly apiAccounts: ApiAccountPersistence;
  /** The adapter's time source (database or Redis time; the process clock in memory). */
  now(): Promise<IsoDateTime>;
  /** Releases what the adapter opened (never the embedder's pool or client). */
  close(): Promise<void>;
}
