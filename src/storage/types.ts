/**
 * The storage contract of abmkit: one {@link AbmStorage} interface, split by concern, that the
 * sync engine (`AbmManager`) uses and that every adapter (memory, file, PostgreSQL, Redis or
 * your own) implements. The `describeStorageConformance` suite in `abmkit/testing` checks an
 * adapter against every rule written here.
 *
 * Conventions that hold for every store:
 * - Every record is scoped by `tokenId` (one ABM server token = one tenant); nothing leaks across
 *   tokens except {@link DeviceStore.findDeviceBySerial}, which deliberately searches them all.
 * - Timestamps are ISO 8601 / RFC 3339 UTC strings (`2025-01-31T12:00:00.000Z`), see {@link IsoDateTime}.
 * - Listings page: they take a {@link PageQuery} and return a {@link Page} with an opaque `nextCursor`.
 * - Writes made under a sync lease carry its `generation`; a stale or foreign generation is refused
 *   with `LeaseLostError` (fencing), a moved cursor with `CursorConflictError`.
 * - Secrets (private key PEMs, OAuth secrets, session tokens) are encrypted at rest by a shared
 *   envelope layer; a store without a key throws `SecretKeyRequiredError` when asked to save one.
 *
 * @module
 */

import type { AdeDevice } from '../schemas/device.js';
import type { ApiAccountStore } from './api-accounts/types.js';

/** An ISO 8601 / RFC 3339 UTC timestamp string, e.g. `2025-01-31T12:00:00.000Z`. */
export type IsoDateTime = string;

/** A page of a listing. */
export interface Page<T> {
  /** The items of this page, in the listing's order. */
  items: T[];
  /** Pass as {@link PageQuery.cursor} to get the next page; `null` when this was the last page. */
  nextCursor: string | null;
}

/** Paging options accepted by every listing. */
export interface PageQuery {
  /** The `nextCursor` of the previous page; omit for the first page. */
  cursor?: string | undefined;
  /** Page size; default 100, at most 10,000. */
  limit?: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Capabilities
// ---------------------------------------------------------------------------------------------

/** What an adapter guarantees. The conformance suite switches test groups by these flags. */
export interface StorageCapabilities {
  /**
   * Leases exclude other processes (several replicas sharing one database), not only other
   * callers in this process. `false` for `MemoryStorage`; `FileStorage` also refuses a second
   * process outright with its lock file.
   */
  readonly crossProcessLeases: boolean;
  /** {@link DeviceStore.applyPage} writes devices and the cursor all-or-nothing. */
  readonly atomicPageApply: boolean;
  /** Session records expire by themselves at `expiresAt` (otherwise they are filtered on read). */
  readonly ttl: boolean;
  /** Data survives the process (not `MemoryStorage`). */
  readonly persistent: boolean;
  /**
   * `endSyncRun` writes {@link EndSyncRunInput.cursor} (every built-in store). Optional: for a
   * store without it the manager writes a run's last cursor as a page before the run ends.
   */
  readonly endSyncRunCursor?: boolean | undefined;
}

// ---------------------------------------------------------------------------------------------
// Tokens and key pairs
// ---------------------------------------------------------------------------------------------

/**
 * The health of a token, as the manager last determined it:
 * - `pending`: a key pair exists but no server token was uploaded yet;
 * - `valid`, `renew-soon` (inside the renewal window), `expired`;
 * - `terms-not-signed` (Apple's T_C_NOT_SIGNED), `rejected` (Apple refused the credentials).
 * Open set: future states may be added.
 */
export type TokenHealthStatus =
  | 'pending'
  | 'valid'
  | 'renew-soon'
  | 'expired'
  | 'terms-not-signed'
  | 'rejected'
  | (string & {});

/** A key pair generated for the ABM token exchange. The private key is a secret. */
export interface KeyPairRecord {
  /** The PEM certificate the admin uploads to ABM. Not secret. */
  certificatePem: string;
  /** The PEM private key that decrypts the server token. Secret: encrypted at rest. */
  privateKeyPem: string;
  /** When the pair was generated. */
  createdAt: IsoDateTime;
}

/** The OAuth 1.0a credentials of a decrypted server token. The three secrets are encrypted at rest. */
export interface TokenCredentialsRecord {
  /** `CK_…`; identifies the MDM server in ABM. Not secret (used for the mismatch check). */
  consumerKey: string;
  /** `CS_…`. Secret. */
  consumerSecret: string;
  /** `AT_…`. Secret. */
  accessToken: string;
  /** `AS_…`. Secret. */
  accessSecret: string;
  /** When the server token stops working. */
  accessTokenExpiry: IsoDateTime;
}

/** The last error the manager recorded for a token (no secret material). */
export interface TokenErrorRecord {
  /** The `AbmError` code, e.g. `TOKEN_EXPIRED`. */
  code: string;
  /** The error message. */
  message: string;
  /** When it happened. */
  at: IsoDateTime;
}

/** A problem a sync run found that an admin must fix (no secret material). */
export interface TokenProblemRecord {
  /**
   * `PROFILE_NOT_FOUND` (a policy profile Apple does not know), `NO_PROFILE` (devices the policy
   * gives no profile: they stay Unassigned) or `INVALID_RECORD` (a device record that cannot be
   * stored).
   */
  code: string;
  /** What it is about: the profile UUID, or the serial number. */
  subject: string;
  /** What is wrong and what to do, naming the policy entry when there is one. */
  message: string;
  /** When it was first seen. */
  since: IsoDateTime;
  /** When it was last seen. */
  at: IsoDateTime;
}

/** How a token's recent sync runs went, as the manager recorded it. */
export interface TokenSyncHealthRecord {
  /** When the current streak of failed runs began, or `null` when the last run completed. */
  failingSince: IsoDateTime | null;
  /** Failed runs in a row (0 after a completed run). */
  failedRuns: number;
  /** Problems found by recent runs, newest first. */
  problems: TokenProblemRecord[];
  /** Device counts per status after the last run that could count them. */
  devices?: Record<DeviceStatus, number> | undefined;
}

/** Everything stored about one ABM server token (one tenant). */
export interface TokenRecord {
  /** The embedder's id for this token. Scopes every other record. */
  tokenId: string;
  /** A display name. */
  name?: string | undefined;
  /** The embedder's customer this token belongs to (one customer may hold many tokens). */
  customerId?: string | undefined;
  /** The embedder's site this token belongs to. */
  siteId?: string | undefined;
  /** Per-token ADE base URL override (simulators, proxies). */
  baseUrl?: string | undefined;
  /** The key pair in use: it decrypted the current server token. */
  currentKeyPair?: KeyPairRecord | undefined;
  /** A newly generated key pair awaiting its server token upload (promoted to current on success). */
  pendingKeyPair?: KeyPairRecord | undefined;
  /**
   * The pending pair replaced by an explicit new one, kept so that a server token ABM issued for
   * either certificate still decrypts (cleared once an upload succeeds).
   */
  previousPendingKeyPair?: KeyPairRecord | undefined;
  /** The decrypted server token's OAuth credentials. */
  credentials?: TokenCredentialsRecord | undefined;
  /**
   * A new random id each time credentials are uploaded (not secret): the version a sync run ties
   * its writes to, so that a run with old credentials never writes onto renewed ones.
   */
  credentialsId?: string | undefined;
  /** Health state, see {@link TokenHealthStatus}. */
  healthStatus?: TokenHealthStatus | undefined;
  /** When `healthStatus` last changed. */
  healthChangedAt?: IsoDateTime | undefined;
  /**
   * The last health state an event was emitted for, so that reminders (renew-soon, expired)
   * fire once per transition, not every cycle.
   */
  healthNotified?: TokenHealthStatus | undefined;
  /** When the last sync run finished (successfully or not). */
  lastSyncAt?: IsoDateTime | undefined;
  /** When the last successful sync run finished. */
  lastSuccessfulSyncAt?: IsoDateTime | undefined;
  /** The last error, cleared (set to `null` in a patch) after a success if the manager wants. */
  lastError?: TokenErrorRecord | undefined;
  /** How the token's recent sync runs went (failing since when, problems to fix). Written by the manager. */
  syncHealth?: TokenSyncHealthRecord | undefined;
  /** Apple's `GET /account` answer (server name, org, …), kept as JSON. */
  account?: Readonly<Record<string, unknown>> | undefined;
  /** Free-form JSON for the embedder. */
  metadata?: Readonly<Record<string, unknown>> | undefined;
  /** When the token record was created (set by the store). */
  createdAt: IsoDateTime;
  /**
   * When the token record last changed (set by the store). Every write moves it forward, by at
   * least a millisecond, so it also tells one version of the record from the next.
   */
  updatedAt: IsoDateTime;
}

/**
 * A shallow patch of a {@link TokenRecord}: each top-level field present replaces the stored one
 * (objects such as `credentials` are replaced whole); `null` removes the field.
 */
export type TokenPatch = {
  [K in Exclude<keyof TokenRecord, 'tokenId' | 'createdAt' | 'updatedAt'>]?:
    | Exclude<TokenRecord[K], undefined>
    | null
    | undefined;
};

/** Field values a conditional {@link TokenStore.updateToken} requires (`null` = absent). */
export type TokenExpectation = {
  [K in Exclude<keyof TokenRecord, 'tokenId' | 'createdAt' | 'updatedAt'>]?: unknown;
};

/** Filters for {@link TokenStore.listTokens}. */
export interface TokenQuery extends PageQuery {
  /** Only tokens of this customer. */
  customerId?: string | undefined;
  /** Only tokens of this site. */
  siteId?: string | undefined;
}

/** Tokens, their key pairs, credentials and health. Listing order: by `tokenId`. */
export interface TokenStore {
  /**
   * Creates the token if missing, otherwise applies the shallow `patch` (see {@link TokenPatch}).
   * Secret fields are encrypted before they reach the adapter. Returns the stored record.
   * @throws SecretKeyRequiredError when the patch holds a secret and the store has no key.
   */
  saveToken(tokenId: string, patch: TokenPatch): Promise<TokenRecord>;
  /**
   * Applies `patch` only if the token exists and each field named in `expect` holds that value
   * (`null` = absent; values compared as stored, i.e. sealed for secret fields), atomically.
   * Never creates the token. Returns the stored record, or `null` when nothing was written.
   * Optional for custom adapters; every adapter built on `StorageBase` has it.
   */
  updateToken?(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null>;
  /** The token, with secrets decrypted, or `null`. @throws SecretDecryptError on a wrong key. */
  getToken(tokenId: string): Promise<TokenRecord | null>;
  /**
   * Tokens ordered by id, optionally of one customer and/or site. A token whose secrets cannot be
   * decrypted (wrong or missing key) is still listed (by adapters built on `StorageBase`), without
   * its secret fields, and carries the `unreadableSecrets` symbol (`{ keyId, hint }`) so that the
   * manager's `health()` names the key that sealed it.
   */
  listTokens(query?: TokenQuery): Promise<Page<TokenRecord>>;
  /**
   * Deletes the token and everything scoped to it (cursor, devices, policy, retries, runs,
   * lease, session). Returns whether it existed.
   */
  deleteToken(tokenId: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

/** A cached ADE session (`X-ADM-Auth-Session`), shared by every process using the store. */
export interface SessionRecord {
  /** The token the session belongs to. */
  tokenId: string;
  /** The session token. Secret: encrypted at rest. */
  sessionToken: string;
  /** When the session should be considered expired. */
  expiresAt: IsoDateTime;
  /** When it was stored. */
  updatedAt: IsoDateTime;
}

/** The shared ADE session cache. */
export interface SessionStore {
  /** The cached session, or `null` when absent or past `expiresAt`. */
  getSession(tokenId: string): Promise<SessionRecord | null>;
  /**
   * Stores (replaces) the session.
   * @throws SecretKeyRequiredError when the store has no key.
   */
  putSession(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void>;
  /**
   * Stores (replaces) the session to expire `ttlMs` after the store's own clock reads now, in
   * one step (otherwise {@link AbmStorage.now} and then `putSession`). Optional: the session
   * cache composes it when a store lacks it; every built-in store has it.
   * @throws SecretKeyRequiredError when the store has no key.
   */
  putSessionFor?(tokenId: string, session: { sessionToken: string; ttlMs: number }): Promise<void>;
  /** Forgets the session (after a 401). */
  deleteSession(tokenId: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Leases
// ---------------------------------------------------------------------------------------------

/** A sync lease held on one token. */
export interface LeaseGrant {
  /** The token the lease is for. */
  tokenId: string;
  /** The holder (e.g. `hostname:pid:random`). */
  owner: string;
  /**
   * Fencing number: strictly increases with every acquisition of this token's lease (never
   * reused, even after release). Every write under the lease passes it back.
   */
  generation: number;
  /** When the lease lapses unless renewed (storage clock). */
  expiresAt: IsoDateTime;
}

/**
 * Leases with fencing, so that among replicas sharing one store exactly one syncs a token at a
 * time, and a paused replica whose lease was taken over cannot write. Expiry uses the storage's
 * clock (database / Redis time), never a replica's.
 */
export interface LeaseStore {
  /**
   * Takes the lease when it is free, expired or already held by `owner`; bumps the generation.
   * Returns `null` when another owner holds a live lease.
   */
  acquireLease(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null>;
  /**
   * Extends a live lease held by `owner` at `generation` (renew at about ttl/3).
   * @throws LeaseLostError when the lease expired, was released or was taken over: stop working.
   */
  renewLease(
    tokenId: string,
    owner: string,
    generation: number,
    ttlMs: number,
  ): Promise<LeaseGrant>;
  /** Releases the lease if `owner` still holds it at `generation`. Returns whether it did. */
  releaseLease(tokenId: string, owner: string, generation: number): Promise<boolean>;
  /** The live lease on the token, or `null` (for observability). */
  getLease(tokenId: string): Promise<LeaseGrant | null>;
}

/** Proof of a held lease, passed with every write made under it. */
export interface LeaseFence {
  /** The token. */
  tokenId: string;
  /** The generation returned by {@link LeaseStore.acquireLease}. */
  generation: number;
  /** The lease owner; when given, a write is refused unless this owner holds the lease. */
  owner?: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Cursors
// ---------------------------------------------------------------------------------------------

/**
 * Where a token's device sync stands: `full` while a full fetch (`/server/devices`) is in progress
 * or needed, `sync` once it completed and incremental `/devices/sync` runs from the cursor.
 */
export type CursorPhase = 'full' | 'sync';

/** The sync position of one token. */
export interface CursorRecord {
  /** The token. */
  tokenId: string;
  /** Apple's opaque cursor (≤ 1000 chars), or `null` before the first page. Never parse it. */
  cursor: string | null;
  /** See {@link CursorPhase}. */
  phase: CursorPhase;
  /** The id of the full fetch in progress (devices it delivered carry it), if any. */
  fullFetchId: string | null;
  /** When the last complete full fetch finished. */
  lastFullFetchAt: IsoDateTime | null;
  /** Apple's `fetched_until` of the last page, if given. */
  fetchedUntil: IsoDateTime | null;
  /** When the cursor last changed (for cursor-age alerts: Apple expires cursors after 7 days). */
  updatedAt: IsoDateTime;
}

/** Cursor state. Advancing the cursor together with devices is {@link DeviceStore.applyPage}. */
export interface CursorStore {
  /** The token's cursor, or `null` when nothing was synced yet. */
  getCursor(tokenId: string): Promise<CursorRecord | null>;
  /**
   * Compare-and-set of the cursor state without devices (e.g. to start a full fetch).
   * @throws LeaseLostError on a stale generation; CursorConflictError when the stored cursor is not `expectedCursor`.
   */
  setCursor(input: SetCursorInput): Promise<CursorRecord>;
  /**
   * Admin reset: forgets the cursor so the next run does a full fetch. Needs no lease; any writer
   * still holding the old cursor gets `CursorConflictError` on its next write (unless it was `null`).
   */
  resetCursor(tokenId: string): Promise<void>;
}

/** Input of {@link CursorStore.setCursor}. */
export interface SetCursorInput extends LeaseFence {
  /** The cursor the writer believes is stored (`null` for none). */
  expectedCursor: string | null;
  /** The new cursor. */
  cursor: string | null;
  /** The new phase. */
  phase: CursorPhase;
  /** The new full-fetch id; omitted keeps the stored one, `null` clears it. */
  fullFetchId?: string | null | undefined;
  /** Sets `lastFullFetchAt` when given. */
  lastFullFetchAt?: IsoDateTime | undefined;
}

// ---------------------------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------------------------

/**
 * A device's status, derived by the store on every write, in precedence order:
 * `removed` (ABM reported it deleted, or a full fetch no longer listed it) > `enrolled`
 * (`markEnrolled` was called) > `profile-served` (the enrollment endpoint served the device its
 * enrollment profile) > `pushed` (Apple's profile_status) > `assigned` (Apple's
 * profile_status, or abmkit assigned a profile successfully) > `unassigned`.
 */
export type DeviceStatus =
  | 'unassigned'
  | 'assigned'
  | 'pushed'
  | 'profile-served'
  | 'enrolled'
  | 'removed';

/** A device of one token, as stored: Apple's record plus what abmkit tracks about it. */
export interface DeviceRecord {
  /** The token (tenant) the device came through. */
  tokenId: string;
  /** The serial number. */
  serialNumber: string;
  /** Apple's latest record for the device (all fields kept). */
  device: AdeDevice;
  /** The latest applied `op_date` (normalised ISO), or `null` if only fetched so far. */
  opDate: IsoDateTime | null;
  /** The latest applied `op_type`, or `null` when it came from a full fetch. */
  opType: string | null;
  /** See {@link DeviceStatus}. */
  status: DeviceStatus;
  /** ABM no longer assigns the device to this server. The record is kept (history). */
  removed: boolean;
  /** When it was marked removed. */
  removedAt: IsoDateTime | null;
  /** The profile abmkit's policy resolved for the device (`null`: none / not planned yet). */
  resolvedProfileUuid: string | null;
  /** Why no profile resolves (shown next to Unassigned devices). */
  unassignedReason: string | null;
  /** The policy revision the resolution was computed for (`null`: never planned). */
  planRevision: number | null;
  /** The profile abmkit last assigned successfully (cleared when the device is removed). */
  assignedProfileUuid: string | null;
  /** When that assignment succeeded. */
  assignedAt: IsoDateTime | null;
  /** When the device completed enrollment with the embedding MDM (`markEnrolled`). */
  enrolledAt: IsoDateTime | null;
  /** When the enrollment endpoint last served the device its enrollment profile. */
  profileServedAt: IsoDateTime | null;
  /** The id of the last full fetch that delivered the device (see {@link CursorRecord.fullFetchId}). */
  fullFetchId: string | null;
  /** When the store first saw the device. */
  firstSeenAt: IsoDateTime;
  /** When the record last changed. */
  updatedAt: IsoDateTime;
}

/** Input of {@link DeviceStore.applyPage}: one page of Apple's fetch/sync answer. */
export interface ApplyPageInput extends LeaseFence {
  /** The cursor stored before this page (`null` for the first page of a first fetch). */
  expectedCursor: string | null;
  /** The cursor Apple returned with this page. */
  nextCursor: string | null;
  /** The phase after this page. */
  phase: CursorPhase;
  /** The page's devices, oldest first (duplicates collapse: the latest `op_date` wins). */
  devices: readonly AdeDevice[];
  /** During a full fetch: its id, recorded on the cursor and on every device of the page. */
  fullFetchId?: string | null | undefined;
  /** Sets the cursor's `lastFullFetchAt` (the page that completes a full fetch). */
  lastFullFetchAt?: IsoDateTime | undefined;
  /** Apple's `fetched_until`, if any. */
  fetchedUntil?: IsoDateTime | null | undefined;
  /**
   * Optional: abmkit's plan (and successful assignment) of devices of this page, written in the
   * same atomic write as the page's entries, so that a separate {@link DeviceStore.updateDevices}
   * does not rewrite the same records. A plan applies only to an entry that is applied and does
   * not mark the device removed; plans for serials the page skips (older `op_date`), removes or
   * does not contain are ignored. At most one plan per serial.
   */
  plans?: readonly PagePlanEntry[] | undefined;
}

/**
 * abmkit's plan for one device of a page, written with the page by {@link DeviceStore.applyPage}:
 * sets `resolvedProfileUuid`, `unassignedReason` and `planRevision`, and, when `assignedAt` is
 * given, `assignedProfileUuid`/`assignedAt` (a successful assignment). Other fields are kept.
 */
export interface PagePlanEntry {
  /** The device (a serial of the page). */
  serialNumber: string;
  /** The resolved profile (`null`: none). */
  resolvedProfileUuid: string | null;
  /** Why nothing resolves (`null` when a profile resolves). */
  unassignedReason: string | null;
  /** The policy revision of this resolution. */
  planRevision: number;
  /** A profile abmkit assigned successfully; written only together with `assignedAt`. */
  assignedProfileUuid?: string | undefined;
  /** When that assignment succeeded. */
  assignedAt?: IsoDateTime | undefined;
}

/** What {@link DeviceStore.applyPage} did, by serial. */
export interface ApplyPageResult {
  /** Devices new to this token (including `modified` ones never seen, and re-added removed ones). */
  added: string[];
  /** Known devices whose record changed. */
  modified: string[];
  /** Devices marked removed by an `op_type: deleted`. */
  removed: string[];
  /** Page entries ignored because the store already had a newer `op_date`. */
  skipped: string[];
  /** The cursor after the page. */
  cursor: CursorRecord;
}

/** Filters for {@link DeviceStore.listDevices}. Results are ordered by serial number. */
export interface DeviceQuery extends PageQuery {
  /** Only devices with one of these statuses. Without it, removed devices are excluded. */
  status?: DeviceStatus | readonly DeviceStatus[] | undefined;
  /** Include removed devices when `status` is not given. */
  includeRemoved?: boolean | undefined;
  /** Only (non-removed) devices with no resolved profile. */
  unresolved?: boolean | undefined;
  /**
   * Only (non-removed) devices awaiting assignment: a resolved profile that differs from both
   * Apple's `profile_uuid` and `assignedProfileUuid`, and no retry-queue entry.
   */
  pendingAssignment?: boolean | undefined;
  /** Only (non-removed) devices planned for another policy revision (or never planned). */
  planRevisionNot?: number | undefined;
}

/** A write to the abmkit-tracked fields of one device (absent fields are left unchanged). */
export interface DevicePatch {
  /** The device. Unknown serials are ignored. */
  serialNumber: string;
  /** The resolved profile (`null`: none). */
  resolvedProfileUuid?: string | null | undefined;
  /** Why nothing resolves. */
  unassignedReason?: string | null | undefined;
  /** The policy revision of this resolution. */
  planRevision?: number | null | undefined;
  /** The profile abmkit assigned successfully. */
  assignedProfileUuid?: string | null | undefined;
  /** When it was assigned. */
  assignedAt?: IsoDateTime | null | undefined;
  /** When the device enrolled. */
  enrolledAt?: IsoDateTime | null | undefined;
  /** When the enrollment profile was served. */
  profileServedAt?: IsoDateTime | null | undefined;
}

/** Input of {@link DeviceStore.markMissingRemoved}. */
export interface MarkMissingInput extends LeaseFence {
  /** The full fetch that just completed: devices not delivered by it are marked removed. */
  fullFetchId: string;
}

/** Devices of every token. */
export interface DeviceStore {
  /**
   * Applies one page and advances the cursor atomically: either every device is upserted and the
   * cursor moves to `nextCursor`, or nothing changes. Per serial, the latest `op_date` wins
   * (older entries are skipped); entries without `op_date` (fetch pages) always apply; an
   * `op_type` of `deleted` marks the device removed (history kept) and clears its assignment.
   * Re-applying an already applied page is harmless.
   * @throws LeaseLostError on a stale generation; CursorConflictError if the stored cursor is not `expectedCursor`.
   */
  applyPage(input: ApplyPageInput): Promise<ApplyPageResult>;
  /** One device of a token, or `null`. */
  getDevice(tokenId: string, serialNumber: string): Promise<DeviceRecord | null>;
  /** Several devices of a token (missing serials are left out). */
  getDevices(tokenId: string, serialNumbers: readonly string[]): Promise<DeviceRecord[]>;
  /** The token's devices matching `query`, by serial, paged. */
  listDevices(tokenId: string, query?: DeviceQuery): Promise<Page<DeviceRecord>>;
  /** Counts of the token's devices per status (removed included). */
  countDevices(tokenId: string): Promise<Record<DeviceStatus, number>>;
  /**
   * What a sync run reports about the token's devices, in one step: {@link DeviceStore.countDevices}
   * and the unresolved devices (as {@link SyncRunStart.unresolved}). Optional: the manager
   * composes it from `countDevices` and `listDevices` when a store lacks it; `PostgresStorage`
   * answers it in one statement, `RedisStorage` in one script.
   */
  summarizeDevices?(tokenId: string): Promise<DeviceSummary>;
  /**
   * Every token's record of this serial (indexed): live records first, then most recently
   * updated. Used to route an enrolling device to its tenant.
   */
  findDeviceBySerial(serialNumber: string): Promise<DeviceRecord[]>;
  /**
   * Writes abmkit-tracked fields (plan, assignment, enrollment) of many devices in one call.
   * With a `fence`, refused with `LeaseLostError` unless the lease is current. Returns the
   * number of devices updated.
   */
  updateDevices(
    tokenId: string,
    patches: readonly DevicePatch[],
    fence?: LeaseFence,
  ): Promise<number>;
  /**
   * After a complete full fetch: marks removed every live device of the token that the fetch did
   * not deliver. Returns their serials.
   */
  markMissingRemoved(input: MarkMissingInput): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------

/** A token's profile policy, stored as opaque JSON (validated by the profiles module). */
export interface PolicyRecord {
  /** The token. */
  tokenId: string;
  /** The policy document (a `ProfilePolicy`). */
  policy: unknown;
  /** Increments with every `setPolicy`; devices remember the revision they were planned for. */
  revision: number;
  /** When it was set. */
  updatedAt: IsoDateTime;
}

/** The profile policy per token. */
export interface PolicyStore {
  /** The token's policy, or `null`. */
  getPolicy(tokenId: string): Promise<PolicyRecord | null>;
  /** Replaces the policy (must be JSON-serialisable) and bumps its revision. */
  setPolicy(tokenId: string, policy: unknown): Promise<PolicyRecord>;
}

// ---------------------------------------------------------------------------------------------
// Assignments and the retry queue
// ---------------------------------------------------------------------------------------------

/** Apple's per-serial result of an assign-profile call. */
export type AssignmentStatus = 'SUCCESS' | 'FAILED' | 'THROTTLED' | 'NOT_ACCESSIBLE';

/** One per-serial result to record. */
export interface AssignmentResultInput {
  /** The device. */
  serialNumber: string;
  /** The profile that was being assigned. */
  profileUuid: string;
  /** Apple's result (a missing serial or a failed request counts as `FAILED`). */
  status: AssignmentStatus;
  /**
   * For `FAILED` (cool-down, 1 h default) and `THROTTLED` (`retry_after_seconds`, or 24 h): when
   * to try again. Ignored for `SUCCESS` and `NOT_ACCESSIBLE`.
   */
  nextAttemptAt?: IsoDateTime | undefined;
  /** Detail to keep (no secrets). */
  error?: string | undefined;
  /** When the result arrived; defaults to now. */
  at?: IsoDateTime | undefined;
}

/**
 * A retry-queue entry: `FAILED` and `THROTTLED` serials wait until `nextAttemptAt`;
 * `NOT_ACCESSIBLE` ones are recorded (reported) but never due.
 */
export interface AssignmentRetryRecord {
  /** The token. */
  tokenId: string;
  /** The device. */
  serialNumber: string;
  /** The profile to assign. */
  profileUuid: string;
  /** Why it is queued. */
  status: Exclude<AssignmentStatus, 'SUCCESS'>;
  /** How many results of this kind were recorded in a row (for backoff). */
  attempts: number;
  /** When it is due; `null` for `NOT_ACCESSIBLE` (never). */
  nextAttemptAt: IsoDateTime | null;
  /** The last detail recorded. */
  lastError: string | null;
  /** When the entry last changed. */
  updatedAt: IsoDateTime;
}

/** Filters for {@link AssignmentStore.listRetries}. Ordered by serial. */
export interface RetryQuery extends PageQuery {
  /** Only entries of this status. */
  status?: Exclude<AssignmentStatus, 'SUCCESS'> | undefined;
}

/** Assignment results and the persistent retry queue. */
export interface AssignmentStore {
  /**
   * Records per-serial results in one call: `SUCCESS` sets the device's `assignedProfileUuid`/
   * `assignedAt` and removes any retry entry; `FAILED`/`THROTTLED` upsert a retry entry
   * (attempts + 1) due at `nextAttemptAt`; `NOT_ACCESSIBLE` records an entry that is never due.
   * With a `fence`, refused with `LeaseLostError` unless the lease is current.
   */
  recordAssignmentResults(
    tokenId: string,
    results: readonly AssignmentResultInput[],
    fence?: LeaseFence,
  ): Promise<void>;
  /** Retry entries due at `now` (default: the store's now), ordered by due time then serial. */
  listDueRetries(
    tokenId: string,
    query?: PageQuery & { now?: IsoDateTime | undefined },
  ): Promise<Page<AssignmentRetryRecord>>;
  /** All retry entries of a token (including `NOT_ACCESSIBLE`), by serial. */
  listRetries(tokenId: string, query?: RetryQuery): Promise<Page<AssignmentRetryRecord>>;
  /** Removes retry entries (e.g. the device was removed or its plan changed). Returns how many. */
  deleteRetries(tokenId: string, serialNumbers: readonly string[]): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Sync runs
// ---------------------------------------------------------------------------------------------

/** The state of a sync run. */
export type SyncRunStatus = 'running' | 'completed' | 'failed' | 'aborted';

/** One sync run of one token (history). */
export interface SyncRunRecord {
  /** Store-generated, time-ordered id (later runs sort after earlier ones). */
  runId: string;
  /** The token. */
  tokenId: string;
  /** The lease owner that ran it. */
  owner: string | null;
  /** See {@link SyncRunStatus}. */
  status: SyncRunStatus;
  /** When it started. */
  startedAt: IsoDateTime;
  /** When it ended, or `null` while running. */
  finishedAt: IsoDateTime | null;
  /** The run's report (counts, phase, duration …) as JSON. */
  report: Readonly<Record<string, unknown>> | null;
  /** The error that ended it (no secrets). */
  error: { code: string; message: string } | null;
}

/** Sync run history. Listing order: newest first. */
export interface SyncRunStore {
  /** Records the start of a run and returns it with its new `runId`. */
  startSyncRun(tokenId: string, input?: { owner?: string | undefined }): Promise<SyncRunRecord>;
  /** Records the end of a run. Returns the updated record, or `null` if unknown. */
  finishSyncRun(
    tokenId: string,
    runId: string,
    result: {
      status: Exclude<SyncRunStatus, 'running'>;
      report?: Readonly<Record<string, unknown>> | undefined;
      error?: { code: string; message: string } | undefined;
    },
  ): Promise<SyncRunRecord | null>;
  /** The token's runs, newest first. */
  listSyncRuns(tokenId: string, query?: PageQuery): Promise<Page<SyncRunRecord>>;
  /** Deletes all but the newest `keep` runs of the token. Returns how many were deleted. */
  pruneSyncRuns(tokenId: string, keep: number): Promise<number>;
  /**
   * Starts a sync run in one step: takes the lease ({@link LeaseStore.acquireLease}), records
   * the run ({@link SyncRunStore.startSyncRun}) and returns what the run reads first. `null`
   * (and nothing recorded) when another owner holds the lease; `'recently-synced'` (nothing
   * recorded) under `skipIfSyncedWithin`; `'token-changed'` (nothing recorded) under
   * `ifTokenUnchanged`. Optional: `AbmManager` does the
   * same with the single methods when a store lacks it; every built-in store has it, and
   * `PostgresStorage` answers it in one statement, `RedisStorage` in one script.
   */
  beginSyncRun?(input: BeginSyncRunInput): Promise<SyncRunBegin>;
  /**
   * Ends a sync run in one step: the conditional token write
   * ({@link TokenStore.updateToken}), {@link SyncRunStore.finishSyncRun},
   * {@link SyncRunStore.pruneSyncRuns} and {@link LeaseStore.releaseLease}, in that order.
   * Optional, like {@link SyncRunStore.beginSyncRun}; `PostgresStorage` answers it in one
   * statement, `RedisStorage` in one script.
   */
  endSyncRun?(input: EndSyncRunInput): Promise<SyncRunEnd>;
}

/** What {@link SyncRunStore.beginSyncRun} takes. */
export interface BeginSyncRunInput {
  /** The token to sync. */
  tokenId: string;
  /** The lease owner (the manager's owner id). */
  owner: string;
  /** The lease's time to live, in milliseconds. */
  ttlMs: number;
  /** The caller's clock reading: which retries are due. */
  now: IsoDateTime;
  /**
   * Start nothing (take no lease, record no run) and answer `'recently-synced'` when the
   * token's `lastSyncAt` lies within `[from, to]`: another replica synced it recently, judged
   * in the same step as the lease, so two replicas never both run it. Leave `to` room past
   * `now`: a run that ends while this call waits for the store stamps a later time than the
   * caller read.
   */
  skipIfSyncedWithin?: { from: IsoDateTime; to: IsoDateTime } | undefined;
  /**
   * The token as the caller last saw it (its `updatedAt` and `credentialsId`): when the stored
   * token differs in either, or is gone, start nothing and answer `'token-changed'` (judged
   * before the lease). A caller that keeps the token its last run ended with need not read it
   * before the next run; on `'token-changed'` it reads it and decides anew.
   */
  ifTokenUnchanged?: { updatedAt: IsoDateTime; credentialsId: string | null } | undefined;
  /**
   * The policy the caller already holds (its `revision` and `updatedAt`): when the stored policy
   * is that one, the answer's `policy` may be `'unchanged'` instead of the document, which can be
   * large (a policy naming thousands of serials) and is not needed again. A store may always send
   * the document.
   */
  knownPolicy?: { revision: number; updatedAt: IsoDateTime } | undefined;
}

/**
 * What {@link SyncRunStore.beginSyncRun} answers: the run started, or why nothing was started
 * (`null`: another owner holds the lease).
 */
export type SyncRunBegin = SyncRunStart | 'recently-synced' | 'token-changed' | null;

/** A run's start, from {@link SyncRunStore.beginSyncRun}: its lease, its record, what it reads first. */
export interface SyncRunStart {
  /** The lease taken. */
  lease: LeaseGrant;
  /** The run recorded (`running`). */
  run: SyncRunRecord;
  /** The token's cursor, or `null`. */
  cursor: CursorRecord | null;
  /**
   * The token's policy, or `null`; `'unchanged'` only when the input's `knownPolicy` names the
   * stored policy (its revision and `updatedAt`).
   */
  policy: PolicyRecord | null | 'unchanged';
  /** Device counts per status ({@link DeviceStore.countDevices}). */
  devices: Record<DeviceStatus, number>;
  /** Whether stored work waits for the run, each as the named query would find it. */
  pending: {
    /** A device matches `{ planRevisionNot: <the stored policy's revision, or 0> }`. */
    replan: boolean;
    /** A device matches `{ pendingAssignment: true }`. */
    assign: boolean;
    /** The retry queue holds an entry ({@link AssignmentStore.listRetries}). */
    retries: boolean;
    /** An entry is due at `now` ({@link AssignmentStore.listDueRetries}). */
    dueRetries: boolean;
  };
  /**
   * The token's devices the policy gives no profile, as `listDevices(tokenId, { unresolved:
   * true, limit: 100 })` would list them: how many (counted up to 100) and the first by serial
   * number. Optional: a store that does not read them with the start leaves it out, and the
   * manager then lists them after the run. A run that writes no device record reports these.
   */
  unresolved?: UnresolvedSample | undefined;
  /**
   * The token's stored ADE session, as {@link SessionStore.getSession} would return it (`null`:
   * none, or expired). Optional: a store that does not read it with the start leaves it out, and
   * the manager's client reads it when it needs it. With it, a run whose client last read the
   * session minutes ago (every scheduled run) does not read it again.
   */
  session?: SessionRecord | null | undefined;
}

/** The device counts and unresolved devices of a token ({@link DeviceStore.summarizeDevices}). */
export interface DeviceSummary {
  /** Counts per status ({@link DeviceStore.countDevices}). */
  counts: Record<DeviceStatus, number>;
  /** The devices without a resolved profile, counted up to 100, with the first. */
  unresolved: UnresolvedSample;
}

/** Devices without a resolved profile, counted up to 100, with the first (see {@link SyncRunStart.unresolved}). */
export interface UnresolvedSample {
  /** How many (at most 100). */
  count: number;
  /** The first by serial number, or `null` when there is none. */
  first: { serialNumber: string; unassignedReason: string | null } | null;
}

/** What {@link SyncRunStore.endSyncRun} takes. */
export interface EndSyncRunInput {
  /** The run's token. */
  tokenId: string;
  /** The run ({@link SyncRunRecord.runId}). */
  runId: string;
  /** How it ended (as {@link SyncRunStore.finishSyncRun} takes it). */
  result: {
    /** Its status. */
    status: Exclude<SyncRunStatus, 'running'>;
    /** Its report. */
    report?: Readonly<Record<string, unknown>> | undefined;
    /** The error that ended it. */
    error?: { code: string; message: string } | undefined;
  };
  /** How many runs of the token to keep ({@link SyncRunStore.pruneSyncRuns}). */
  keep: number;
  /** A token patch written only while `expect` holds ({@link TokenStore.updateToken}). */
  token?: { patch: TokenPatch; expect: TokenExpectation } | undefined;
  /** The lease to release ({@link LeaseStore.releaseLease}). */
  lease?: { owner: string; generation: number } | undefined;
  /**
   * The cursor of the run's last page when that page held no device (a sync that found nothing
   * new): written as `applyPage` writes an empty page, before the lease is released and only
   * while `lease` is held and the stored cursor is `expectedCursor`. Never written without
   * `lease`. Whether it was written is {@link SyncRunEnd.cursor}.
   */
  cursor?: RunEndCursor | undefined;
}

/** The cursor write of {@link EndSyncRunInput.cursor}. */
export interface RunEndCursor {
  /** The cursor the run believes is stored. */
  expectedCursor: string | null;
  /** The cursor Apple returned with the last page. */
  nextCursor: string | null;
  /** The phase after the page. */
  phase: CursorPhase;
  /** Apple's `fetched_until`, if any (`null` clears it). */
  fetchedUntil?: IsoDateTime | null | undefined;
}

/** What {@link SyncRunStore.endSyncRun} did. */
export interface SyncRunEnd {
  /** The finished run, or `null` when it is unknown. */
  run: SyncRunRecord | null;
  /** The token as written, or `null` (no patch given, token gone, or `expect` failed). */
  token: TokenRecord | null;
  /** Runs pruned. */
  pruned: number;
  /** Whether the lease was released. */
  released: boolean;
  /**
   * With {@link EndSyncRunInput.cursor}: the cursor as written, or `null` when it was not (the
   * lease was lost or the stored cursor had changed). Absent without it.
   */
  cursor?: CursorRecord | null | undefined;
}

// ---------------------------------------------------------------------------------------------
// The whole store
// ---------------------------------------------------------------------------------------------

/** Options for {@link SecretMaintenance.reencryptSecrets}. */
export interface ReencryptResult {
  /** Records whose secrets were re-encrypted under the active key. */
  reencrypted: number;
  /** Records already under the active key. */
  unchanged: number;
}

/** Key rotation support. */
export interface SecretMaintenance {
  /**
   * Re-encrypts every stored secret (tokens, sessions and, where the store keeps them, the
   * private keys of Business API accounts) that is not under the key provider's active key id
   * (including plaintext records from an `allowPlaintextSecrets` period). After it returns, the
   * retired key can be dropped.
   */
  reencryptSecrets(): Promise<ReencryptResult>;
}

/**
 * Everything abmkit stores, composed of the per-concern stores. Implemented by `MemoryStorage`,
 * `FileStorage`, `PostgresStorage` and `RedisStorage`; verify your own implementation with
 * `describeStorageConformance` from `abmkit/testing`.
 */
export interface AbmStorage
  extends TokenStore,
    SessionStore,
    LeaseStore,
    CursorStore,
    DeviceStore,
    PolicyStore,
    AssignmentStore,
    SyncRunStore,
    SecretMaintenance {
  /** What this adapter guarantees. */
  readonly capabilities: StorageCapabilities;
  /** Business API accounts and token → server links (every built-in adapter has it). */
  readonly apiAccounts?: ApiAccountStore | undefined;
  /** The store's current time (database/Redis clock where there is one). */
  now(): Promise<IsoDateTime>;
  /** Releases what the store itself opened (file locks); never closes a caller's pool/client. */
  close(): Promise<void>;
}
