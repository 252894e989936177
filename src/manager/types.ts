import type { RetryOptions } from '../client/options.js';
import type { AbmLogger } from '../internal/logger.js';
import type { ServerLinkRecord } from '../storage/index.js';
import type {
  AbmStorage,
  CursorPhase,
  DeviceStatus,
  IsoDateTime,
  TokenErrorRecord,
  TokenProblemRecord,
} from '../storage/types.js';

/** Options of `new AbmManager(options)`. Only `storage` is required. */
export interface AbmManagerOptions {
  /** Where tokens, cursors, devices, policies and retries live (memory, file, PostgreSQL, Redis). */
  storage: AbmStorage;
  /**
   * ADE base URL for every token without its own (`createKeyPair(…, { baseUrl })`).
   * @default 'https://mdmenrollment.apple.com'
   */
  baseUrl?: string | undefined;
  /** `User-Agent` sent to Apple. Use your product's name and version. @default `abmkit/<version>` */
  userAgent?: string | undefined;
  /** Time between two sync runs of one token under `start()`. @default 300_000 (5 minutes) */
  syncIntervalMs?: number | undefined;
  /** A token is `renew-soon` this many days before it expires. @default 30 */
  renewWithinDays?: number | undefined;
  /** A pino-compatible logger; secrets are redacted before it sees anything. @default silent */
  logger?: AbmLogger | undefined;
  /**
   * The lease owner name of this process; must differ between replicas.
   * @default `<hostname>:<pid>:<random>`
   */
  owner?: string | undefined;
  /** Sync runs in flight at once under `start()` (across tokens). @default 4 */
  concurrency?: number | undefined;
  /** Sync lease lifetime; it is renewed every `leaseTtlMs / 3` while a run lasts. @default 60_000 */
  leaseTtlMs?: number | undefined;
  /**
   * Devices requested per ADE page: 100 by default (as the product guide documents),
   * configurable up to Apple's maximum of 1000 (fewer requests for large fleets). @default 100
   */
  pageSize?: number | undefined;
  /**
   * How far apart replicas' runs of one token fall, as a fraction of the interval (0.25 = within
   * a quarter of it), so that replicas do not fire in lock step. Every token has a fixed place in
   * the cycle (spreading tokens over the interval), and each replica runs it at that place plus
   * its own offset within this window (derived from `owner`): the earliest replica syncs the
   * token, the others find it recently synced. Capped at 0.3; no effect with a single replica.
   * @default 0.25
   */
  jitter?: number | undefined;
  /**
   * The first runs after `start()` are spread over this window (each token's distance to its
   * place in the cycle, scaled into the window), so that a thousand tokens do not all start at
   * once; replicas reach the tokens in different orders. @default min(syncIntervalMs, 30_000)
   */
  staggerMs?: number | undefined;
  /** Cool-down before a `FAILED` serial is retried; doubles on repeated failures up to 24 h. @default 3_600_000 */
  assignmentCooldownMs?: number | undefined;
  /** Wait for a `THROTTLED` serial when Apple gives no `retry_after_seconds`. @default 86_400_000 */
  throttleFallbackMs?: number | undefined;
  /**
   * A token in a bad state (`terms-not-signed`, `rejected`, or expired according to Apple) is
   * probed at most this often by the schedule instead of being synced. @default 3_600_000
   */
  unhealthyProbeIntervalMs?: number | undefined;
  /** A full re-fetch (reconcile) runs when the last complete one is older than this. @default 7 days */
  fullReconcileIntervalMs?: number | undefined;
  /** Sync-run history entries kept per token. @default 50 */
  keepSyncRuns?: number | undefined;
  /**
   * The manager's one clock. Every timestamp the manager writes comes from it: sync-run reports
   * (`startedAt`), the token's `lastSyncAt`/`lastSuccessfulSyncAt`/`lastError.at`/sync health,
   * health transitions (`healthChangedAt`), key pairs' `createdAt`, devices' `assignedAt`,
   * `enrolledAt` and `profileServedAt`, retry times (`nextAttemptAt`, and the "due" instant the
   * store is asked for), `lastFullFetchAt`, and the expiry of stored ADE sessions. Token expiry,
   * the reconcile interval and "recently synced" are judged by it too. Durations (a report's
   * `durationMs`) are measured on the monotonic clock, and leases expire on the store's clock.
   * Inject it in tests to make time deterministic; in production, replicas sharing a store should
   * keep their clocks in sync (NTP).
   * @default `() => new Date()`
   */
  now?: (() => Date) | undefined;
  /** A fetch implementation for every client. @default `globalThis.fetch` */
  fetch?: typeof globalThis.fetch | undefined;
  /** Retry policy of every client's HTTP calls. */
  retry?: RetryOptions | undefined;
  /**
   * Time limit for one HTTP attempt of every client, response body included
   * (`AbmClientOptions.timeoutMs`). @default 30000
   */
  timeoutMs?: number | undefined;
  /**
   * Time limit for one client call (a page, an assignment batch, a profile definition), retries
   * and re-login included (`AbmClientOptions.deadlineMs`). A sync run makes many calls; it ends
   * when its pages end, is stopped, or its lease is lost. @default 120000
   */
  deadlineMs?: number | undefined;
  /**
   * Largest response body every client accepts, in bytes (`AbmClientOptions.maxResponseBytes`).
   * @default 33554432 (32 MiB)
   */
  maxResponseBytes?: number | undefined;
  /** `X-Server-Protocol-Version` sent to Apple. @default 10 */
  protocolVersion?: number | undefined;
  /** Stops the schedule and aborts runs in flight, like `stop()`. */
  signal?: AbortSignal | undefined;
  /**
   * OpenTelemetry spans and metrics: `'auto'` uses `@opentelemetry/api` when it is installed
   * (loaded lazily), `false` never loads it. @default 'auto'
   */
  telemetry?: 'auto' | false | undefined;
}

/** Options of {@link AbmManager.createKeyPair}. */
export interface CreateKeyPairOptions {
  /** The customer the token belongs to; devices that enroll through it route there. */
  customerId?: string | undefined;
  /** The site the token belongs to. */
  siteId?: string | undefined;
  /** A display name (e.g. the MDM server name in ABM). */
  name?: string | undefined;
  /** An ADE base URL for this token only (simulators, proxies, regional endpoints). */
  baseUrl?: string | undefined;
  /**
   * Generate a new pending key pair even when one already waits for its server token. By
   * default a second call returns the pending certificate again (page reload, double click), so
   * the token ABM issued for it still decrypts. The replaced pair is kept until an upload
   * succeeds, so a token issued for either certificate decrypts.
   * @default false
   */
  newKeyPair?: boolean | undefined;
}

/** Options of {@link AbmManager.syncNow}. */
export interface SyncNowOptions {
  /** Aborts the run: the report reads `aborted`; every page applied so far is kept. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link AbmManager.uploadServerToken}. */
export interface UploadServerTokenOptions {
  /**
   * Accept a token of a different MDM server (another consumer key) than the stored one (the
   * token's cursor is then reset, so the next sync re-fetches every device), or a token that
   * already expired (refused by default).
   * @default false
   */
  force?: boolean | undefined;
}

/** A token's health as the manager sees it. */
export type ManagerTokenStatus =
  | 'unreadable'
  | 'pending'
  | 'valid'
  | 'renew-soon'
  | 'expired'
  | 'terms-not-signed'
  | 'rejected';

/** The answer of {@link AbmManager.health}. */
export interface TokenHealthReport {
  /** The token. */
  tokenId: string;
  /**
   * `pending` (no server token uploaded yet), `valid`, `renew-soon`, `expired`,
   * `terms-not-signed` (accept the new terms in ABM) or `rejected` (upload a new token).
   */
  status: ManagerTokenStatus;
  /** What to do about `status`, in one sentence. */
  advice: string;
  /** When the server token expires (ISO 8601, like every other date here), or `null` before an upload. */
  expiresAt: IsoDateTime | null;
  /** Whole days left before expiry (negative once expired), or `null` before an upload. */
  daysLeft: number | null;
  /** The consumer key of the server token (identifies the MDM server in ABM; not secret). */
  consumerKey: string | null;
  /** Whether a new key pair waits for its server token upload (renewal in progress). */
  pendingKeyPair: boolean;
  /** When the last sync run finished. */
  lastSyncAt: IsoDateTime | null;
  /** When the last successful sync run finished. */
  lastSuccessfulSyncAt: IsoDateTime | null;
  /** The last error recorded, cleared by the next success. */
  lastError: TokenErrorRecord | null;
  /** The ABM account (`GET /account`): server name, organisation, … once a sync ran. */
  account: TokenAccountInfo | null;
  /** The embedder's customer. */
  customerId: string | null;
  /** The embedder's site. */
  siteId: string | null;
  /** The display name. */
  name: string | null;
  /** The token's MDM server record in the Business API, once linked (`health()` fills it in). */
  serverLink?: ServerLinkRecord | null;
  /**
   * How syncing goes: `never` (no run finished yet), `ok` (the last run completed) or `failing`
   * (since when, how many runs in a row, and what to do about it).
   */
  sync: TokenSyncStatus;
  /**
   * Problems recent runs found that an admin must fix, newest first: `PROFILE_NOT_FOUND` (a
   * policy entry names a profile Apple does not know; the message names the entry) and
   * `INVALID_RECORD` (device records of Apple's that could not be stored and were skipped).
   */
  problems: readonly TokenProblemRecord[];
  /**
   * Set when the token's secrets cannot be decrypted with the storage's keys (wrong or missing
   * encryption key): which key sealed them and how to pass it. `status` is then `unreadable`.
   */
  unreadable: UnreadableSecrets | null;
  /** Device counts per status after the last run (`unassigned`, `assigned`, …), or `null`. */
  devices: Record<DeviceStatus, number> | null;
  /**
   * The profile policy in force (revision and the default profile per OS), or `null` without
   * one; only {@link AbmManager.health} fills it (`null` in other reports).
   */
  policy: { revision: number; osDefaults: Readonly<Record<string, string>> } | null;
}

/** How a token's syncing goes, see {@link TokenHealthReport.sync}. */
export interface TokenSyncStatus {
  /** `never` (no run finished yet), `ok` (the last run completed) or `failing`. */
  state: 'never' | 'ok' | 'failing';
  /** When the current streak of failed runs began. */
  failingSince: IsoDateTime | null;
  /** Failed runs in a row. */
  failedRuns: number;
  /** What to do about the failures (network/firewall, server clock, …), or `null`. */
  remedy: string | null;
}

/** Why a token's secrets cannot be read, see {@link TokenHealthReport.unreadable}. */
export interface UnreadableSecrets {
  /** The id of the key that sealed the secrets (`kid` of the envelope), when it can be read. */
  keyId: string | null;
  /** What to do: pass that key to the storage's `encryptionKey` / keyring. */
  hint: string;
}
/** The ABM account details of a token (Apple's `GET /account`, the fields shown most). */
export interface TokenAccountInfo {
  /** The MDM server's name in ABM. */
  serverName: string | null;
  /** The organisation. */
  orgName: string | null;
  /** Apple's whole answer, unknown fields included. */
  raw: Readonly<Record<string, unknown>>;
}

/** One entry of {@link AbmManager.listTokens}. No secrets. */
export interface TokenSummary {
  /** The token. */
  tokenId: string;
  /** The display name. */
  name: string | null;
  /** The embedder's customer. */
  customerId: string | null;
  /** The embedder's site. */
  siteId: string | null;
  /** Health, as {@link TokenHealthReport.status}. */
  status: ManagerTokenStatus;
  /** Expiry of the server token (ISO 8601), or `null` before an upload. */
  expiresAt: IsoDateTime | null;
  /** When the last sync run finished. */
  lastSyncAt: IsoDateTime | null;
}

/** Filters of {@link AbmManager.listTokens}. */
export interface ListTokensOptions {
  /** Only tokens of this customer. */
  customerId?: string | undefined;
  /** Only tokens of this site. */
  siteId?: string | undefined;
}

/** Filters of {@link AbmManager.listDevices}. */
export interface ListDevicesOptions {
  /**
   * Only devices in this state. `unassigned` lists devices that have no profile yet, with
   * `unassignedReason` set when the policy gives them none. Removed devices are only listed with
   * `removed`.
   */
  status?: DeviceStatus | readonly DeviceStatus[] | undefined;
  /** Only devices the policy gives no profile (always with a reason). */
  unresolved?: boolean | undefined;
  /** The `nextCursor` of the previous page (`null`, as the last page returns it, means the first page). */
  cursor?: string | null | undefined;
  /** Page size. @default 100 */
  limit?: number | undefined;
}

/** The answer of {@link AbmManager.lookupDevice}: where an enrolling device belongs. */
export interface DeviceLookup {
  /** The token the device came through. */
  tokenId: string;
  /** The token's customer: route the device there. */
  customerId: string | null;
  /** The token's site. */
  siteId: string | null;
  /** The serial number. */
  serialNumber: string;
  /** Unassigned → assigned → pushed → enrolled (or removed). */
  status: DeviceStatus;
  /** The profile it was given: assigned by abmkit, else Apple's record, else the planned one. */
  profileUuid: string | null;
  /** Why it has no profile, when it has none. */
  unassignedReason: string | null;
}

/**
 * Why a run did not sync: another replica holds the lease (`lease-held`) or synced the token
 * less than half an interval ago (`recently-synced`, scheduled runs only); the token is in a bad
 * state and not due for its hourly probe (`unhealthy`); no server token was uploaded yet
 * (`no-credentials`); the manager is stopping (`stopped`).
 */
export type SyncSkipReason =
  | 'lease-held'
  | 'recently-synced'
  | 'unhealthy'
  | 'no-credentials'
  | 'stopped';

/** The report of one sync run ({@link AbmManager.syncNow}, `sync.completed`). */
export interface SyncReport {
  /** The token. */
  tokenId: string;
  /** The run id in the sync history, when the run started. */
  runId: string | null;
  /** `completed`, `failed` (see `error`), `aborted` (stopped or lease lost) or `skipped` (see `skipped`). */
  status: 'completed' | 'failed' | 'aborted' | 'skipped';
  /** Why the run did not sync. */
  skipped: SyncSkipReason | null;
  /** The cursor phase at the end of the run. */
  phase: CursorPhase | null;
  /** Whether a full fetch ran (first sync, expired/invalid cursor, reconcile). */
  fullFetch: boolean;
  /** ADE pages applied. */
  pages: number;
  /** Device changes applied. */
  devices: {
    /** New devices (including `modified` ones never seen before). */
    added: number;
    /** Known devices whose record changed. */
    modified: number;
    /** Devices marked removed (history kept). */
    removed: number;
    /**
     * Records of Apple's pages that could not be stored (empty or overlong serial number, NUL
     * characters) and were skipped; the rest of their page was stored. See `invalidRecords`.
     */
    invalid: number;
  };
  /** Assign-profile results of this run, per serial. */
  profiles: {
    /** `SUCCESS`. */
    assigned: number;
    /** `FAILED` (or unanswered): retried after a cool-down. */
    failed: number;
    /** `THROTTLED`: retried after Apple's delay. */
    throttled: number;
    /** `NOT_ACCESSIBLE`: reported, never retried. */
    notAccessible: number;
  };
  /** Devices planned in this run that the policy gives no profile. */
  unassigned: number;
  /** Device counts per status after the run. */
  totals: Record<DeviceStatus, number> | null;
  /** When the run started. */
  startedAt: IsoDateTime;
  /** How long it took. */
  durationMs: number;
  /** What ended a failed or aborted run (no secrets). */
  error: { code: string; message: string } | null;
  /** The first 20 records skipped as invalid, with the reason (see `devices.invalid`). */
  invalidRecords: readonly InvalidRecord[];
}

/** A device record of Apple's that could not be stored, and why. */
export interface InvalidRecord {
  /** The serial as Apple sent it (long ones shortened for display). */
  serialNumber: string;
  /** What is wrong with it. */
  reason: string;
}
