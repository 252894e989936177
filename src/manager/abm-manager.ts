import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AbmApiClient } from '../api/abm-api-client.js';
import type {
  AssignToServerReport,
  AssignToServerSummary,
  SerialSource,
} from '../api/assign-to-server.js';
import type { AbmClient } from '../client/abm-client.js';
import {
  AbortError,
  InvalidArgumentError,
  isAbmError,
  TokenNotFoundError,
} from '../errors/index.js';
import { type AbmLogger, redactingLogger } from '../internal/logger.js';
import { VERSION } from '../internal/version.js';
import { compilePolicy } from '../profiles/compile-policy.js';
import type { ProfilePolicy } from '../profiles/policy-types.js';
import { normaliseSerial } from '../profiles/serial.js';
import { MAX_DEVICE_PAGE_LIMIT } from '../resources/device-list.js';
import type { ApiAccountRecord, ServerLinkRecord } from '../storage/index.js';
import type { DeviceRecord, Page, PolicyRecord, TokenRecord } from '../storage/types.js';
import {
  type ApiAccountSummary,
  apiStore,
  summary as apiSummary,
  assignDevicesToToken,
  clientFor,
  type ListOrgDevicesOptions,
  linkServer,
  type ManagerAssignDevicesOptions,
  type OrgDeviceElsewhere,
  orgDevicesElsewhere,
  requireAccount,
  type SaveApiAccountInput,
  saveApiAccount,
} from './business-api.js';
import { canonicalPolicy, policyEntriesFor } from './canonical-policy.js';
import { ClientPool } from './client-pool.js';
import type { ManagerContext, ResolvedConfig } from './context.js';
import type { EnrollmentEventName, EnrollmentEventPayload } from './enrollment-events.js';
import { type AbmManagerEventName, type AbmManagerListener, EventHub } from './events.js';
import { healthReport } from './health.js';
import { KnownPolicies } from './known-policies.js';
import { KnownTokens } from './known-tokens.js';
import {
  getCreateKeyPairOptionsSchema,
  getListDevicesOptionsSchema,
  getListTokensOptionsSchema,
  getSyncNowOptionsSchema,
  getUploadServerTokenOptionsSchema,
  parseManagerDurations,
  parseOptions,
} from './option-schemas.js';
import {
  recordEnrollmentEvent,
  recordProfileServed,
  statusHistoryOf,
} from './record-enrollment.js';
import { runSync } from './run-sync.js';
import { Scheduler } from './scheduler.js';
import type { DeviceStatusChange } from './status-history.js';
import { LazyTelemetry } from './telemetry.js';
import {
  checkTokenId,
  createKeyPair,
  importKeyPair,
  requireToken,
  uploadServerToken,
} from './token-lifecycle.js';
import { tokenWriter } from './token-writer.js';
import type {
  AbmManagerOptions,
  CreateKeyPairOptions,
  DeviceLookup,
  ListDevicesOptions,
  ListTokensOptions,
  SyncNowOptions,
  SyncReport,
  TokenHealthReport,
  TokenSummary,
  UploadServerTokenOptions,
} from './types.js';

function checkSyncNowOptions(options: SyncNowOptions): AbortSignal | undefined {
  return parseOptions('syncNow options', getSyncNowOptionsSchema, options).signal;
}

function positiveOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min = 0,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new InvalidArgumentError(`AbmManager option ${name} must be a number ≥ ${min}.`);
  }
  return value;
}

function resolveConfig(options: AbmManagerOptions): ResolvedConfig {
  const syncIntervalMs = positiveOption('syncIntervalMs', options.syncIntervalMs, 300_000, 1);
  const pageSize = positiveOption('pageSize', options.pageSize, 100, 1);
  if (pageSize > MAX_DEVICE_PAGE_LIMIT) {
    throw new InvalidArgumentError(
      `AbmManager option pageSize must be ≤ ${MAX_DEVICE_PAGE_LIMIT}.`,
    );
  }
  return {
    baseUrl: options.baseUrl,
    syncIntervalMs,
    renewWithinDays: positiveOption('renewWithinDays', options.renewWithinDays, 30),
    concurrency: Math.floor(positiveOption('concurrency', options.concurrency, 4, 1)),
    leaseTtlMs: positiveOption('leaseTtlMs', options.leaseTtlMs, 60_000, 30),
    pageSize: Math.floor(pageSize),
    jitter: Math.min(1, positiveOption('jitter', options.jitter, 0.25)),
    staggerMs: positiveOption('staggerMs', options.staggerMs, Math.min(syncIntervalMs, 30_000)),
    assignmentCooldownMs: positiveOption(
      'assignmentCooldownMs',
      options.assignmentCooldownMs,
      3_600_000,
    ),
    throttleFallbackMs: positiveOption(
      'throttleFallbackMs',
      options.throttleFallbackMs,
      86_400_000,
    ),
    unhealthyProbeIntervalMs: positiveOption(
      'unhealthyProbeIntervalMs',
      options.unhealthyProbeIntervalMs,
      3_600_000,
    ),
    fullReconcileIntervalMs: positiveOption(
      'fullReconcileIntervalMs',
      options.fullReconcileIntervalMs,
      7 * 86_400_000,
    ),
    keepSyncRuns: Math.floor(positiveOption('keepSyncRuns', options.keepSyncRuns, 50, 1)),
  };
}

/**
 * Everything an MDM server or RMM product embeds to get zero-touch enrollment working: many ABM
 * tokens per process, the token exchange and renewal, periodic device sync (crash-safe, one
 * replica per token at a time through storage leases), automatic ADE profile assignment with
 * cool-downs and throttling, token health with once-per-transition reminders, and typed events.
 *
 * @example
 * ```ts
 * const manager = new AbmManager({ storage: new FileStorage({ dir, encryptionKey }), userAgent: 'MyMdm/2.1' });
 * const certPem = await manager.createKeyPair('acme-hq', { customerId: 'acme', siteId: 'hq' });
 * // admin uploads certPem to ABM, downloads the server token …
 * await manager.uploadServerToken('acme-hq', p7mFile);
 * await manager.setPolicy('acme-hq', { osDefaults: { ios: iosProfileUuid, macos: macProfileUuid } });
 * manager.on('device.added', (e) => console.log('new device', e.serialNumber));
 * await manager.start(); // every token every 5 minutes
 * ```
 */
export class AbmManager {
  readonly #ctx: ManagerContext;
  readonly #events: EventHub;
  readonly #clients: ClientPool;
  readonly #telemetry: LazyTelemetry;
  readonly #inFlight = new Map<string, Promise<SyncReport | null>>();
  #scheduler: Scheduler | undefined;
  #stopController = new AbortController();
  readonly #closeSignal: AbortSignal | undefined;
  readonly #apiClients = new Map<string, { client: AbmApiClient; updatedAt: string }>();
  readonly #apiOptions: {
    userAgent?: string | undefined;
    fetch?: typeof globalThis.fetch | undefined;
  };

  constructor(options: AbmManagerOptions) {
    if (options === null || typeof options !== 'object' || options.storage === undefined) {
      throw new InvalidArgumentError('AbmManager needs options.storage (an AbmStorage).');
    }
    const durations = parseManagerDurations(options);
    const config = resolveConfig({ ...options, ...durations });
    const logger: AbmLogger = redactingLogger(options.logger);
    const events = new EventHub(logger);
    const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const clock = options.now ?? (() => new Date());
    this.#events = events;
    this.#telemetry = new LazyTelemetry(options.telemetry ?? 'auto', VERSION);
    this.#clients = new ClientPool({
      storage: options.storage,
      baseUrl: options.baseUrl,
      userAgent: options.userAgent,
      protocolVersion: options.protocolVersion,
      fetch: options.fetch,
      retry: options.retry,
      limits: {
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
        ...(options.maxResponseBytes === undefined
          ? {}
          : { maxResponseBytes: options.maxResponseBytes }),
      },
      logger,
      now: clock,
    });
    const clients = this.#clients;
    this.#apiOptions = { userAgent: options.userAgent, fetch: options.fetch };
    this.#ctx = {
      storage: options.storage,
      events,
      logger,
      owner,
      config,
      telemetry: this.#telemetry,
      now: clock,
      api: (token, session) => clients.get(token, session),
      known: new KnownTokens(),
      policies: new KnownPolicies(),
    };
    const signal = options.signal;
    this.#closeSignal = signal;
    if (signal !== undefined) {
      if (signal.aborted) this.#stopController.abort(signal.reason);
      else signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
  }

  /** This process's lease owner name. */
  get owner(): string {
    return this.#ctx.owner;
  }

  // --- events ----------------------------------------------------------------------------------

  /** Listens to an event (see {@link AbmManagerEvents}). Returns a function that removes the listener. */
  on<K extends AbmManagerEventName>(name: K, listener: AbmManagerListener<K>): () => void {
    this.#events.on(name, listener);
    return () => this.#events.off(name, listener);
  }

  /** Removes a listener added with {@link AbmManager.on}. */
  off<K extends AbmManagerEventName>(name: K, listener: AbmManagerListener<K>): void {
    this.#events.off(name, listener);
  }

  /** Listens to the next occurrence of an event only. Returns a function that removes the listener. */
  once<K extends AbmManagerEventName>(name: K, listener: AbmManagerListener<K>): () => void {
    const wrapped: AbmManagerListener<K> = (payload) => {
      this.#events.off(name, wrapped);
      return listener(payload);
    };
    this.#events.on(name, wrapped);
    return () => this.#events.off(name, wrapped);
  }

  // --- tokens ----------------------------------------------------------------------------------

  /**
   * Generates a key pair for the token exchange (or a renewal), stores it as the token's pending
   * pair, and returns the certificate PEM the admin uploads to ABM (MDM Server settings). Creates
   * the token when it does not exist yet.
   */
  async createKeyPair(tokenId: string, options: CreateKeyPairOptions = {}): Promise<string> {
    parseOptions('createKeyPair options', getCreateKeyPairOptionsSchema, options);
    return createKeyPair(this.#ctx, tokenId, options);
  }

  /**
   * Imports the key pair another MDM used for this MDM server (migration): it is stored as the
   * token's pending pair, and the next {@link AbmManager.uploadServerToken} with the server token
   * file ABM issued for it (the `.p7m` the other MDM was given, or a new download) decrypts and
   * promotes it. No certificate has to be uploaded to ABM again. Creates the token if needed.
   * @throws {@link PrivateKeyError} when `privateKeyPem` is not an RSA private key.
   */
  async importKeyPair(
    tokenId: string,
    pair: { privateKeyPem: string | Uint8Array; certificatePem?: string | undefined },
    options: CreateKeyPairOptions = {},
  ): Promise<void> {
    parseOptions('importKeyPair options', getCreateKeyPairOptionsSchema, options);
    await importKeyPair(this.#ctx, tokenId, pair, options);
  }

  /**
   * The certificate of the key pair waiting for its server token (the one `createKeyPair`
   * returned), to download again and upload to ABM; `null` when no pair is pending.
   * @throws {@link TokenNotFoundError} for an unknown token.
   */
  async pendingCertificate(tokenId: string): Promise<string | null> {
    const token = await requireToken(this.#ctx, tokenId);
    return token.pendingKeyPair?.certificatePem ?? null;
  }

  /**
   * Stores the server token downloaded from ABM (`*_smime.p7m`, as text or bytes): decrypts it with
   * the pending key pair (then the current one), promotes the pending pair only when it decrypted
   * the file, and resets the token's health. The same call renews a token.
   *
   * @returns The token's health after the upload.
   * @throws {@link TokenMismatchError} when the token belongs to another MDM server than the
   *   stored one (unless `force`); {@link TokenDecryptError} when no stored key decrypts it;
   *   {@link TokenNotFoundError} when `createKeyPair` was never called for `tokenId`.
   */
  async uploadServerToken(
    tokenId: string,
    file: string | Uint8Array,
    options: UploadServerTokenOptions = {},
  ): Promise<TokenHealthReport> {
    parseOptions('uploadServerToken options', getUploadServerTokenOptionsSchema, options);
    const saved = await uploadServerToken(this.#ctx, tokenId, file, options);
    this.#clients.forget(tokenId);
    this.#scheduler?.add(tokenId);
    return healthReport(saved, this.#ctx.now(), this.#ctx.config.renewWithinDays);
  }

  /**
   * The token's health: status, expiry, days left, last sync, last error and ABM account, how
   * syncing goes (`sync`: failing since when, how many runs, the remedy) and the problems an
   * admin must fix (`problems`). A token whose secrets cannot be decrypted reads `unreadable`
   * with the key id that sealed them.
   */
  async health(tokenId: string): Promise<TokenHealthReport> {
    let token: TokenRecord;
    try {
      token = await requireToken(this.#ctx, tokenId);
    } catch (error) {
      if (!isAbmError(error, 'SECRET_DECRYPT_FAILED')) throw error;
      const listed = await this.#findListed(tokenId);
      if (listed === undefined) throw error;
      token = listed;
    }
    const report = healthReport(token, this.#ctx.now(), this.#ctx.config.renewWithinDays);
    const stored = await this.#ctx.storage.getPolicy(tokenId);
    if (stored !== null) {
      const osDefaults = (stored.policy as ProfilePolicy | null)?.osDefaults ?? {};
      report.policy = {
        revision: stored.revision,
        osDefaults: Object.fromEntries(
          Object.entries(osDefaults).filter((e): e is [string, string] => typeof e[1] === 'string'),
        ),
      };
    }
    const serverLink = (await this.#ctx.storage.apiAccounts?.getServerLink(tokenId)) ?? null;
    return { ...report, serverLink };
  }

  // --- Apple Business Manager API (see docs/business-api.md) -----------------------------------

  /**
   * Stores an API account created in Apple Business Manager for a customer (and optionally a
   * site); its private key is encrypted at rest. Bad credentials are a typed error and nothing is
   * stored.
   */
  async saveApiAccount(accountId: string, input: SaveApiAccountInput): Promise<ApiAccountSummary> {
    this.#apiClients.delete(accountId);
    return saveApiAccount(this.#ctx, accountId, input);
  }

  /** An API account's health and details, without its key. */
  async apiAccountHealth(accountId: string): Promise<ApiAccountSummary> {
    return apiSummary(await requireAccount(this.#ctx, accountId));
  }

  /** Every stored API account (optionally of one customer and/or site), without keys. */
  async listApiAccounts(options: ListTokensOptions = {}): Promise<ApiAccountSummary[]> {
    const page = await apiStore(this.#ctx).listApiAccounts({ limit: 1000, ...options });
    return page.items.map(apiSummary);
  }

  /** Deletes an API account. */
  async deleteApiAccount(accountId: string): Promise<boolean> {
    this.#apiClients.delete(accountId);
    return apiStore(this.#ctx).deleteApiAccount(accountId);
  }

  /** An {@link AbmApiClient} for a stored API account (access tokens shared through storage). */
  async apiClient(accountId: string): Promise<AbmApiClient> {
    return this.#apiClient(await requireAccount(this.#ctx, accountId));
  }

  /**
   * Links the ADE token to its MDM server record in the Business API (`server_uuid`, else the
   * server name), stores the link and returns it; `health()` shows it. Needs one sync first.
   */
  async linkServer(
    tokenId: string,
    options: { accountId?: string } = {},
  ): Promise<ServerLinkRecord> {
    return linkServer(this.#ctx, tokenId, options.accountId, (rec) => this.#apiClient(rec));
  }

  /**
   * Puts devices on the token's MDM server (serials or a CSV), through the customer's API
   * account: the next sync receives them as `added` and assigns their ADE profile as usual.
   * With `report: 'counts'` the report has counts only (flat memory); see `onSerial`.
   */
  assignDevices(
    tokenId: string,
    serials: SerialSource,
    options: ManagerAssignDevicesOptions & { report: 'counts' },
  ): Promise<AssignToServerSummary>;
  /** The default report: every serial listed by outcome. */
  assignDevices(
    tokenId: string,
    serials: SerialSource,
    options?: ManagerAssignDevicesOptions & { report?: 'lists' },
  ): Promise<AssignToServerReport>;
  /** Either report, when `options.report` is not known statically. */
  assignDevices(
    tokenId: string,
    serials: SerialSource,
    options?: ManagerAssignDevicesOptions,
  ): Promise<AssignToServerReport | AssignToServerSummary>;
  async assignDevices(
    tokenId: string,
    serials: SerialSource,
    options: ManagerAssignDevicesOptions = {},
  ): Promise<AssignToServerReport | AssignToServerSummary> {
    return assignDevicesToToken(this.#ctx, tokenId, serials, options, (rec) =>
      this.#apiClient(rec),
    );
  }

  /**
   * "Devices not appearing": the organisation's devices that are on no MDM server or on another
   * one than this token's, each with advice.
   */
  listOrgDevices(
    tokenId: string,
    options: ListOrgDevicesOptions = {},
  ): AsyncIterable<OrgDeviceElsewhere> {
    return orgDevicesElsewhere(this.#ctx, tokenId, options, (rec) => this.#apiClient(rec));
  }

  #apiClient(rec: ApiAccountRecord): AbmApiClient {
    const cached = this.#apiClients.get(rec.accountId);
    if (cached !== undefined && cached.updatedAt === rec.updatedAt) return cached.client;
    const client = clientFor(this.#ctx, rec, this.#apiOptions);
    this.#apiClients.set(rec.accountId, { client, updatedAt: rec.updatedAt });
    return client;
  }

  /** A token as listed (secrets stripped when they cannot be decrypted). */
  async #findListed(tokenId: string): Promise<TokenRecord | undefined> {
    for await (const t of this.#tokens({})) if (t.tokenId === tokenId) return t;
    return undefined;
  }

  /** Every token (optionally of one customer and/or site), without secrets. */
  async listTokens(options: ListTokensOptions = {}): Promise<TokenSummary[]> {
    parseOptions('listTokens options', getListTokensOptionsSchema, options);
    const out: TokenSummary[] = [];
    for await (const token of this.#tokens(options)) {
      const h = healthReport(token, this.#ctx.now(), this.#ctx.config.renewWithinDays);
      out.push({
        tokenId: token.tokenId,
        name: h.name,
        customerId: h.customerId,
        siteId: h.siteId,
        status: h.status,
        expiresAt: h.expiresAt,
        lastSyncAt: h.lastSyncAt,
      });
    }
    return out;
  }

  /**
   * An {@link AbmClient} for the token (e.g. to define profiles), sharing the token's ADE session
   * with the manager through storage.
   * @throws {@link TokenNotFoundError} when the token does not exist or has no server token yet.
   */
  async client(tokenId: string): Promise<AbmClient> {
    const token = await requireToken(this.#ctx, tokenId);
    return this.#clients.get(token);
  }

  /** Deletes the token and everything stored for it (devices, cursor, policy, retries, history). */
  async deleteToken(tokenId: string): Promise<boolean> {
    this.#clients.forget(tokenId);
    this.#ctx.known.forget(tokenId);
    this.#ctx.policies.forget(tokenId);
    return this.#ctx.storage.deleteToken(checkTokenId(tokenId));
  }

  /**
   * Forgets the token's cursor so that the next run does a full fetch (then marks removed what
   * ABM no longer lists). For devices that never showed up through sync; the schedule also does
   * this by itself every `fullReconcileIntervalMs`.
   */
  async resetCursor(tokenId: string): Promise<void> {
    await this.#ctx.storage.resetCursor(checkTokenId(tokenId));
  }

  // --- policy and devices ----------------------------------------------------------------------

  /**
   * Sets the token's profile policy (device > group > OS default). It is validated first; the
   * next sync run re-plans the devices it affects and assigns what changed, without a re-fetch.
   * @throws {@link PolicyValidationError} listing every problem.
   */
  async setPolicy(tokenId: string, policy: ProfilePolicy): Promise<PolicyRecord> {
    compilePolicy(policy);
    const token = await requireToken(this.#ctx, tokenId);
    // One canonical spelling of profile UUIDs (as Apple returns them), so that a policy in lower
    // case or with dashes matches Apple's records instead of looking pending on every run.
    const plain = canonicalPolicy(JSON.parse(JSON.stringify(policy)) as ProfilePolicy);
    const record = await this.#ctx.storage.setPolicy(tokenId, plain);
    await this.#dropSolvedProblems(token, plain);
    return record;
  }

  /** Forgets profile problems of profiles the new policy no longer uses. */
  async #dropSolvedProblems(token: TokenRecord, policy: ProfilePolicy): Promise<void> {
    const h = token.syncHealth;
    if (h === undefined) return;
    const problems = h.problems.filter(
      (p) => p.code !== 'PROFILE_NOT_FOUND' || policyEntriesFor(policy, p.subject).length > 0,
    );
    if (problems.length === h.problems.length) return;
    await tokenWriter(this.#ctx, token)({ syncHealth: { ...h, problems } });
  }

  /** The token's current policy, or `null`. */
  async getPolicy(tokenId: string): Promise<PolicyRecord | null> {
    return this.#ctx.storage.getPolicy(checkTokenId(tokenId));
  }

  /**
   * The token's devices, paged, by serial. `{ status: 'unassigned' }` is the dashboard's
   * Unassigned list: each device carries `unassignedReason` when the policy gives it no profile.
   */
  async listDevices(
    tokenId: string,
    options: ListDevicesOptions = {},
  ): Promise<Page<DeviceRecord>> {
    checkTokenId(tokenId);
    parseOptions('listDevices options', getListDevicesOptionsSchema, options);
    return this.#ctx.storage.listDevices(tokenId, {
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.unresolved === undefined ? {} : { unresolved: options.unresolved }),
      ...(options.cursor === undefined || options.cursor === null
        ? {}
        : { cursor: options.cursor }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    });
  }

  /**
   * Where a serial belongs, across every token: the token, customer and site it came through and
   * the profile it was given. Call it from the enrollment endpoint to route a new device to its
   * tenant. Live records win over removed ones. `null` when no token knows the serial.
   */
  async lookupDevice(serialNumber: string): Promise<DeviceLookup | null> {
    const serial = normaliseSerial(String(serialNumber ?? ''));
    if (serial === '') return null;
    const [record] = await this.#ctx.storage.findDeviceBySerial(serial);
    if (record === undefined) return null;
    const token = await this.#ctx.storage.getToken(record.tokenId);
    return {
      tokenId: record.tokenId,
      customerId: token?.customerId ?? null,
      siteId: token?.siteId ?? null,
      serialNumber: record.serialNumber,
      status: record.status,
      profileUuid:
        record.assignedProfileUuid ??
        (typeof record.device.profile_uuid === 'string' ? record.device.profile_uuid : null) ??
        record.resolvedProfileUuid,
      unassignedReason: record.unassignedReason,
    };
  }

  /**
   * Records that a device completed enrollment with the embedding MDM: its status becomes
   * `enrolled`. Returns `false` when the token does not know the serial.
   */
  async markEnrolled(tokenId: string, serialNumber: string): Promise<boolean> {
    checkTokenId(tokenId);
    const serial = normaliseSerial(String(serialNumber ?? ''));
    const updated = await this.#ctx.storage.updateDevices(tokenId, [
      { serialNumber: serial, enrolledAt: this.#ctx.now().toISOString() },
    ]);
    return updated > 0;
  }

  /**
   * Records that the enrollment endpoint served a device its enrollment profile: its status
   * becomes `profile-served` (until `markEnrolled`). Returns `false` when the token does not know
   * the serial. The `abmkit/enrollment` handler calls this for you.
   */
  async recordProfileServed(tokenId: string, serialNumber: string): Promise<boolean> {
    checkTokenId(tokenId);
    return recordProfileServed(this.#ctx, tokenId, serialNumber);
  }

  /**
   * Emits one `enrollment.*` event (see {@link AbmManagerEvents}); `enrollment.profile-served`
   * also records the served profile on the device. Used by the `abmkit/enrollment` handler.
   */
  async recordEnrollmentEvent(
    name: EnrollmentEventName,
    payload: EnrollmentEventPayload,
  ): Promise<void> {
    await recordEnrollmentEvent(this.#ctx, name, payload);
  }

  /**
   * A device's status history: Unassigned → Assigned → Pushed → Profile served → Enrolled (or
   * Removed), each with its time when known. `null` when the token does not know the serial.
   */
  async deviceStatusHistory(
    tokenId: string,
    serialNumber: string,
  ): Promise<DeviceStatusChange[] | null> {
    checkTokenId(tokenId);
    return statusHistoryOf(this.#ctx, tokenId, serialNumber);
  }

  // --- sync ------------------------------------------------------------------------------------

  /**
   * Runs one sync of the token now and returns its report. Concurrent calls for one token share
   * one run. A run already held by another replica is reported as `skipped: 'lease-held'`; a
   * token in a bad state is probed (terms signed again? new token?) rather than waited for.
   * Failures are in the report (`status`, `error`) and the token's health, not thrown.
   * `options.signal` aborts the run (the report then reads `aborted`; applied pages are kept).
   * @throws {@link TokenNotFoundError} for an unknown token.
   */
  async syncNow(tokenId: string, options: SyncNowOptions = {}): Promise<SyncReport> {
    const signal = checkSyncNowOptions(options);
    checkTokenId(tokenId);
    // A caller's signal aborts this call's run (reported `aborted`, not thrown).
    const report = await this.#run(
      tokenId,
      signal === undefined
        ? this.#stopController.signal
        : AbortSignal.any([signal, this.#stopController.signal]),
      true,
    );
    if (report === null) throw new TokenNotFoundError(tokenId);
    return report;
  }

  /**
   * Starts the schedule: every token every `syncIntervalMs` (5 minutes by default) at its own
   * place in the cycle, first runs staggered, at most `concurrency` runs at once, a token never
   * overlapping itself. Safe to call on every replica: each replica reaches a token at its own
   * offset (see `jitter`), so one syncs it and the others find it recently synced, and leases make
   * each token sync on one replica at a time. Timers are `unref()`ed, so they do not keep the
   * process alive.
   */
  async start(): Promise<void> {
    if (this.#scheduler !== undefined) return;
    if (this.#closeSignal?.aborted === true) {
      throw new AbortError(
        'This AbmManager was stopped through its `signal` option; create a new one.',
      );
    }
    const config = this.#ctx.config;
    const scheduler = new Scheduler(
      {
        listTokenIds: async () => {
          const ids: string[] = [];
          for await (const t of this.#tokens({}))
            if (t.credentials !== undefined) ids.push(t.tokenId);
          return ids;
        },
        run: async (tokenId, signal) => {
          const report = await this.#run(tokenId, signal, false);
          if (report === null) return 'skipped';
          if (report.skipped === 'lease-held') return 'lease-held';
          return report.status === 'skipped' ? 'skipped' : 'ran';
        },
        logger: this.#ctx.logger,
      },
      {
        intervalMs: config.syncIntervalMs,
        jitter: config.jitter,
        staggerMs: config.staggerMs,
        concurrency: config.concurrency,
        seed: this.#ctx.owner,
        now: () => this.#ctx.now().getTime(),
      },
    );
    this.#scheduler = scheduler;
    await scheduler.start();
  }

  /**
   * Stops the schedule, aborts the runs in flight and waits until they wound down. Nothing is
   * lost: each applied page is committed with its cursor, and the next run resumes from there.
   * `syncNow()` and `start()` work again afterwards (unless the `signal` option was aborted).
   */
  async stop(): Promise<void> {
    const scheduler = this.#scheduler;
    const controller = this.#stopController;
    this.#scheduler = undefined;
    controller.abort();
    await scheduler?.stop();
    await Promise.allSettled([...this.#inFlight.values()]);
    // A later syncNow()/start() works again, unless the `signal` option ended the manager.
    if (this.#stopController === controller && this.#closeSignal?.aborted !== true) {
      this.#stopController = new AbortController();
    }
  }

  /** One run of the token (shared by concurrent callers); `null` when the token does not exist. */
  #run(tokenId: string, signal: AbortSignal, probe: boolean): Promise<SyncReport | null> {
    const combined = AbortSignal.any([signal, this.#stopController.signal]);
    const existing = this.#inFlight.get(tokenId);
    // A stopped manager reports `stopped` rather than joining a run that is winding down.
    if (existing !== undefined && !combined.aborted) return existing;
    const run = this.#telemetry
      .ready()
      .then(() => this.#runToken(tokenId, { signal: combined, probe }))
      .finally(() => this.#inFlight.delete(tokenId));
    this.#inFlight.set(tokenId, run);
    return run;
  }

  /**
   * Runs the token as the last run left it, without reading it; when it changed since (or the
   * run would skip it), reads it and runs that.
   */
  async #runToken(
    tokenId: string,
    options: { signal: AbortSignal; probe: boolean },
  ): Promise<SyncReport | null> {
    const ctx = this.#ctx;
    const known = ctx.known.get(tokenId);
    if (known !== undefined) {
      const report = await runSync(ctx, known, { ...options, known: true });
      if (report !== 'token-changed') return report;
      ctx.known.forget(tokenId);
    }
    const token = await ctx.storage.getToken(tokenId);
    if (token === null) return null;
    return (await runSync(ctx, token, options)) as SyncReport;
  }

  async *#tokens(options: ListTokensOptions): AsyncGenerator<TokenRecord> {
    let cursor: string | undefined;
    do {
      const page = await this.#ctx.storage.listTokens({
        limit: 1000,
        ...(cursor === undefined ? {} : { cursor }),
        ...(options.customerId === undefined ? {} : { customerId: options.customerId }),
        ...(options.siteId === undefined ? {} : { siteId: options.siteId }),
      });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
}
