/**
 * The persistence interface an adapter implements: one small object per store, persistence only.
 *
 * {@link StorageBase} (the front) owns everything else: it checks every argument of every
 * {@link AbmStorage} method, seals and opens secrets, applies the domain rules of `src/domain/`
 * (page collapse, plan normalisation, assignment-result planning, due-retry filter, order and
 * paging, JSON normalisation of policies, reports and token fields) and hands each store
 * already-validated, already-normalised input. A store never re-checks arguments and never
 * re-derives a rule; it reads and writes (atomically where its capabilities say so).
 *
 * A new adapter is one object with these stores, passed to `new StorageBase(adapter, options)`
 * (or to `super(adapter, options)` in a subclass), plus `describeStorageConformance` from
 * `abmkit/testing` run against it. See "Writing an adapter" in `docs/storage.md`.
 *
 * What every store may rely on:
 * - token ids, serials and owners are non-empty strings of at most 256 characters;
 * - `limit` is an integer from 1 to 10,000 (the page size to return);
 * - timestamps are normalised ISO strings (`toISOString()`);
 * - secret fields (key PEMs, OAuth secrets, session tokens, API keys) arrive sealed;
 * - JSON documents (policies, reports, token fields) are plain JSON values.
 *
 * @module
 */

import type { SerialAssignmentPlan } from '../domain/assignments.js';
import type { AdeDevice } from '../schemas/device.js';
import type {
  ApplyPageInput,
  ApplyPageResult,
  AssignmentRetryRecord,
  BeginSyncRunInput,
  CursorRecord,
  DevicePatch,
  DeviceQuery,
  DeviceRecord,
  DeviceStatus,
  DeviceSummary,
  IsoDateTime,
  LeaseFence,
  LeaseGrant,
  MarkMissingInput,
  Page,
  PagePlanEntry,
  PolicyRecord,
  RetryQuery,
  RunEndCursor,
  SessionRecord,
  SetCursorInput,
  StorageCapabilities,
  SyncRunBegin,
  SyncRunEnd,
  SyncRunRecord,
  SyncRunStatus,
  TokenExpectation,
  TokenPatch,
  TokenQuery,
  TokenRecord,
} from './types.js';

export type { SerialAssignmentPlan } from '../domain/assignments.js';

/** A listing query as a store receives it: the page size is resolved (1–10,000). */
export type Limited<Q> = Omit<Q, 'limit'> & {
  /** Page size to return (at most this many items; set `nextCursor` when there are more). */
  limit: number;
};

/** Token documents (secret fields arrive sealed). Listing order: by `tokenId`. */
export interface TokenPersistence {
  /**
   * Creates the token (stamping `createdAt`) or shallow-patches it: a field set to `null`
   * is removed, `undefined` is ignored; stamps `updatedAt`. Returns the stored record.
   */
  save(tokenId: string, patch: TokenPatch): Promise<TokenRecord>;
  /**
   * Atomic conditional {@link save}: applies `patch` only when the token exists and every
   * field of `expect` deep-equals the stored one (`null` = absent; `tokenMatches` in
   * `src/domain/` is the rule). `null` when nothing was written. Never creates.
   */
  update(tokenId: string, patch: TokenPatch, expect: TokenExpectation): Promise<TokenRecord | null>;
  /** The stored token, or `null`. */
  get(tokenId: string): Promise<TokenRecord | null>;
  /** Tokens after `query.cursor` (opaque, yours), filtered by customer/site, by id. */
  list(query: Limited<TokenQuery>): Promise<Page<TokenRecord>>;
  /**
   * Deletes the token and everything scoped to it (session, cursor, devices, policy, retries,
   * runs; the lease is released but its generation kept). Whether anything existed.
   */
  delete(tokenId: string): Promise<boolean>;
}

/** ADE sessions (`sessionToken` arrives sealed). */
export interface SessionPersistence {
  /** Stores (replaces) the session, stamping `updatedAt`. */
  put(tokenId: string, session: { sessionToken: string; expiresAt: IsoDateTime }): Promise<void>;
  /** Optional: stores the session to expire `ttlMs` after the store's now, in one round trip. */
  putFor?(tokenId: string, session: { sessionToken: string; ttlMs: number }): Promise<void>;
  /** The stored session, or `null` when absent or past `expiresAt` (store clock). */
  get(tokenId: string): Promise<SessionRecord | null>;
  /** Removes the session. */
  delete(tokenId: string): Promise<void>;
}

/** Sync leases with fencing generations (expiry on the store's clock). */
export interface LeasePersistence {
  /**
   * Takes the lease when free, expired or held by `owner`, bumping the generation (never
   * reused for this token id, even after release or token deletion). `null` when another
   * owner holds a live lease.
   */
  acquire(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null>;
  /** Extends a live lease held by `owner` at `generation`; else throws `LeaseLostError`. */
  renew(tokenId: string, owner: string, generation: number, ttlMs: number): Promise<LeaseGrant>;
  /** Releases the lease when `owner` holds it at `generation`; whether it did. */
  release(tokenId: string, owner: string, generation: number): Promise<boolean>;
  /** The live lease, or `null`. */
  get(tokenId: string): Promise<LeaseGrant | null>;
}

/**
 * One page to write, as the front hands it to {@link CursorPersistence.applyPage}: the devices
 * are collapsed to one entry per serial (latest `op_date` of the page, first-appearance order)
 * and checked (serials, no NUL), the plans are checked and indexed by serial, timestamps are
 * normalised.
 */
export interface PageWrite extends Omit<ApplyPageInput, 'devices' | 'plans'> {
  /** One entry per serial. */
  devices: readonly AdeDevice[];
  /** abmkit's plans by serial (see {@link ApplyPageInput.plans} for when one applies). */
  plans: ReadonlyMap<string, PagePlanEntry>;
}

/** The cursor of each token, and the page write that moves it. */
export interface CursorPersistence {
  /** The cursor, or `null`. */
  get(tokenId: string): Promise<CursorRecord | null>;
  /**
   * Compare-and-set: refuses with `LeaseLostError` unless the lease is current at
   * `input.generation` (and `owner` when given), with `CursorConflictError` unless the stored
   * cursor is `input.expectedCursor`; `fullFetchId` omitted keeps the stored one.
   */
  set(input: SetCursorInput): Promise<CursorRecord>;
  /** Forgets the position (cursor, phase `full`, full-fetch id, fetched-until); keeps the row. */
  reset(tokenId: string): Promise<void>;
  /**
   * Applies one page: with the same fence and compare-and-set checks as {@link set}, upserts
   * each device by the `op_date` rule (`upsertDevice` in `src/domain/`), writes the plans of
   * applied, non-removed entries, and moves the cursor — all or nothing where
   * `capabilities.atomicPageApply`. Call `betweenWrites()` after the device writes are issued
   * (or prepared) and before the cursor write / commit: it is the test-only crash hook.
   */
  applyPage(page: PageWrite, betweenWrites: () => Promise<void>): Promise<ApplyPageResult>;
}

/** Devices: reads and abmkit-tracked writes (page writes live with the cursor). */
export interface DevicePersistence {
  /** One device, or `null`. */
  get(tokenId: string, serialNumber: string): Promise<DeviceRecord | null>;
  /** Several devices (distinct serials; missing ones left out). */
  getMany(tokenId: string, serialNumbers: readonly string[]): Promise<DeviceRecord[]>;
  /** Devices matching `query` (see {@link DeviceQuery}), by serial, after `query.cursor`. */
  list(tokenId: string, query: Limited<DeviceQuery>): Promise<Page<DeviceRecord>>;
  /** Counts per status (removed included). */
  count(tokenId: string): Promise<Record<DeviceStatus, number>>;
  /** Optional: `summarizeDevices` in one round trip; without it, the front composes it. */
  summary?(tokenId: string): Promise<DeviceSummary>;
  /** Every token's record of this serial: live first, then most recently updated. */
  findBySerial(serialNumber: string): Promise<DeviceRecord[]>;
  /**
   * Writes tracked fields of known devices (unknown serials ignored; later patches of a serial
   * apply over earlier ones), re-deriving the status. With a fence, refused with
   * `LeaseLostError` unless the lease is current. How many devices changed.
   */
  update(tokenId: string, patches: readonly DevicePatch[], fence?: LeaseFence): Promise<number>;
  /** Fenced: marks removed every live device not seen by `fullFetchId`; their serials, sorted. */
  markMissingRemoved(input: MarkMissingInput): Promise<string[]>;
}

/** Where a due-retries page starts: after this `[nextAttemptAt, serial]`. */
export type RetryPosition = readonly [nextAttemptAt: IsoDateTime, serialNumber: string];

/** The retry queue. */
export interface RetryPersistence {
  /**
   * Candidates for one page of due entries: every entry with `nextAttemptAt <= query.now`
   * after `query.after` in (`nextAttemptAt`, serial) order, or at least the first
   * `query.limit + 1` of them. The front filters, orders and pages what you return
   * (`dueRetryPage` in `src/domain/`), so a superset is fine; a store that can do it in one
   * query returns exactly that page plus one.
   */
  due(
    tokenId: string,
    query: { now: IsoDateTime; after: RetryPosition | null; limit: number },
  ): Promise<AssignmentRetryRecord[]>;
  /** Entries (optionally of one status) after `query.cursor` (opaque, yours), by serial. */
  list(tokenId: string, query: Limited<RetryQuery>): Promise<Page<AssignmentRetryRecord>>;
  /** Deletes entries of these (distinct) serials; how many existed. */
  delete(tokenId: string, serialNumbers: readonly string[]): Promise<number>;
  /**
   * Writes planned assignment results (the front ran `planAssignmentResults`), in one
   * atomic write: a plan's `success` sets the device's `assignedProfileUuid`/`assignedAt`
   * (known devices only) and re-derives its status; `retry: null` deletes the entry, otherwise
   * the entry is upserted with `attempts = (reset ? 0 : stored) + increment`. `at` is the
   * front's clock reading, for `updatedAt`. With a fence, refused with `LeaseLostError`
   * unless the lease is current (also when `plans` is empty).
   */
  record(
    tokenId: string,
    plans: readonly SerialAssignmentPlan[],
    at: IsoDateTime,
    fence?: LeaseFence,
  ): Promise<void>;
}

/** What a finished run records. */
export interface RunOutcome {
  /** How it ended. */
  status: Exclude<SyncRunStatus, 'running'>;
  /** Its report (plain JSON), or `null`. */
  report: Record<string, unknown> | null;
  /** The error that ended it, or `null`. */
  error: { code: string; message: string } | null;
}

/** Sync-run history. Listing order: newest first (`runId` descending). */
export interface RunPersistence {
  /** Stores a `running` run with a new time-ordered id (`newRunId` in `src/domain/`). */
  start(tokenId: string, owner: string | null): Promise<SyncRunRecord>;
  /** Stamps `finishedAt` and the outcome; `null` when the run is unknown. */
  finish(tokenId: string, runId: string, outcome: RunOutcome): Promise<SyncRunRecord | null>;
  /** Runs before `query.cursor` (opaque, yours), newest first. */
  list(
    tokenId: string,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<SyncRunRecord>>;
  /** Keeps the newest `keep` runs (a non-negative integer); how many were removed. */
  prune(tokenId: string, keep: number): Promise<number>;
  /**
   * Optional: `beginSyncRun` in one round trip (checked input). Must answer exactly what
   * `beginRunByParts` (`src/storage/run-bracket.ts`) composes from the other stores; without
   * it, the front composes it. It may add `session` (as `sessions.get` returns it, sealed; the
   * front opens it).
   */
  begin?(input: BeginSyncRunInput): Promise<SyncRunBegin>;
  /**
   * Optional: `endSyncRun` in one round trip, as `endRunByParts` composes it. The token patch
   * arrives sealed and normalised; return the token as stored (sealed), the front opens it.
   */
  end?(input: RunEndWrite): Promise<SyncRunEnd>;
}

/** A run's end as {@link RunPersistence.end} receives it. */
export interface RunEndWrite {
  /** The run's token. */
  tokenId: string;
  /** The run. */
  runId: string;
  /** How it ended. */
  outcome: RunOutcome;
  /** Runs to keep (at least 1). */
  keep: number;
  /** A conditional token write (patch sealed, expectation as JSON), or `null`. */
  token: { patch: TokenPatch; expect: TokenExpectation } | null;
  /** The lease to release, or `null`. */
  lease: { owner: string; generation: number } | null;
  /** The fenced cursor write (only with `lease`), or `null`. */
  cursor: RunEndCursor | null;
}

/** Policies (plain JSON documents). */
export interface PolicyPersistence {
  /** The stored policy, or `null`. */
  get(tokenId: string): Promise<PolicyRecord | null>;
  /** Replaces the policy, bumping its revision (1 for the first), stamping `updatedAt`. */
  set(tokenId: string, policy: unknown): Promise<PolicyRecord>;
}

/** The two document kinds of {@link ApiAccountPersistence}. */
export type ApiRecordKind = 'account' | 'link';

/**
 * Business API account documents: the front (`ApiAccounts`) validates, seals the private key,
 * patches and filters; the store keeps JSON text by kind and id.
 */
export interface ApiAccountPersistence {
  /** Stores (replaces) a document. */
  put(kind: ApiRecordKind, id: string, json: string): Promise<void>;
  /** The document, or `null`. */
  get(kind: ApiRecordKind, id: string): Promise<string | null>;
  /** At most `limit` documents with ids after `after`, in id order. */
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
  /** Cursors and page writes. */
  readonly cursors: CursorPersistence;
  /** Devices. */
  readonly devices: DevicePersistence;
  /** Retry queue and assignment results. */
  readonly retries: RetryPersistence;
  /** Sync runs. */
  readonly runs: RunPersistence;
  /** Policies. */
  readonly policies: PolicyPersistence;
  /** Business API account documents (optional: without it, `storage.apiAccounts` is absent). */
  readonly apiAccounts?: ApiAccountPersistence | undefined;
  /** The adapter's time source (database or Redis time; the injected clock in memory). */
  now(): Promise<IsoDateTime>;
  /** Releases what the adapter opened (never the embedder's pool or client). */
  close(): Promise<void>;
}
