import { inspect } from 'node:util';
import { toJson } from '../domain/json.js';
import { pageLimit } from '../domain/paging.js';
import {
  checkIso,
  checkLeaseArgs,
  checkSerial,
  checkSerials,
  checkTokenId,
} from '../domain/validate.js';
import { InvalidArgumentError } from '../errors/index.js';
import type { StorageAdapter } from './adapter.js';
import { ApiAccounts } from './api-accounts/api-accounts.js';
import type { ApiAccountStore } from './api-accounts/types.js';
import type { FaultInjectionOptions } from './fault-injection.js';
import { checkKeep, normaliseDevicePatches, runOutcome } from './front/checks.js';
import { dueRetries, recordResults, withLastFullFetch, writePage } from './front/sync-writes.js';
import { TokenFront } from './front/tokens.js';
import { beginRunByParts, endRunByParts, summarizeByParts } from './run-bracket.js';
import { SecretBox, type SecretBoxOptions } from './secrets/secret-box.js';
import type {
  AbmStorage,
  ApplyPageInput,
  ApplyPageResult,
  AssignmentResultInput,
  AssignmentRetryRecord,
  BeginSyncRunInput,
  CursorRecord,
  DevicePatch,
  DeviceQuery,
  DeviceRecord,
  DeviceStatus,
  DeviceSummary,
  EndSyncRunInput,
  IsoDateTime,
  LeaseFence,
  LeaseGrant,
  MarkMissingInput,
  Page,
  PageQuery,
  PolicyRecord,
  ReencryptResult,
  RetryQuery,
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

export { unreadableSecrets } from './front/token-secrets.js';

/** Options of {@link StorageBase} (every built-in adapter accepts them). */
export interface StorageBaseOptions extends SecretBoxOptions, FaultInjectionOptions {
  /**
   * Milliseconds since the epoch, for the stamps the front writes itself (API accounts);
   * default `Date.now`. Records of the other stores are stamped by the adapter's clock
   * (`adapter.now()`: database or Redis time, or the clock given to an in-process adapter).
   */
  clock?: (() => number) | undefined;
}

/**
 * The storage front: every {@link AbmStorage} method, over a {@link StorageAdapter} that only
 * persists. The front checks every argument, seals secrets on the way in and opens them on
 * the way out, applies the domain rules once (page collapse, plan normalisation,
 * assignment-result planning, due-retry order and paging, JSON normalisation) and then calls
 * the adapter's store. A custom adapter gets all of that by passing its stores here:
 * `new StorageBase(adapter, options)`; check it with `describeStorageConformance` from
 * `abmkit/testing`.
 */
export class StorageBase implements AbmStorage {
  /** The envelope-encryption box (see {@link SecretBox}). */
  protected readonly secrets: SecretBox;
  /** The adapter's stores. */
  protected readonly adapter: StorageAdapter;
  /** Business API accounts and token → server links (when the adapter stores them). */
  readonly apiAccounts?: ApiAccountStore | undefined;
  readonly #tokens: TokenFront;
  readonly #options: StorageBaseOptions;

  /**
   * @param adapter - The persistence stores (see `docs/storage.md`, "Writing an adapter").
   * @param options - Secret-box options, fault injection (tests only) and the front's clock.
   */
  #capabilities: StorageCapabilities | undefined;

  constructor(adapter: StorageAdapter, options: StorageBaseOptions = {}) {
    this.adapter = adapter;
    this.#options = options;
    this.secrets = new SecretBox(options);
    this.#tokens = new TokenFront(adapter, this.secrets);
    if (adapter.apiAccounts !== undefined) {
      this.apiAccounts = new ApiAccounts(adapter.apiAccounts, this.secrets, options.clock);
    }
  }

  /** {@inheritDoc AbmStorage.capabilities} */
  get capabilities(): StorageCapabilities {
    // The front writes endSyncRun's cursor for every adapter (in one step, or composed).
    this.#capabilities ??= Object.freeze({ ...this.adapter.capabilities, endSyncRunCursor: true });
    return this.#capabilities;
  }

  // --- tokens and sessions ----------------------------------------------------------------------

  /** {@inheritDoc TokenStore.saveToken} */
  async saveToken(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    return this.#tokens.save(tokenId, patch);
  }

  /** {@inheritDoc TokenStore.updateToken} */
  async updateToken(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    return this.#tokens.update(tokenId, patch, expect);
  }

  /** {@inheritDoc TokenStore.getToken} */
  async getToken(tokenId: string): Promise<TokenRecord | null> {
    return this.#tokens.get(tokenId);
  }

  /** {@inheritDoc TokenStore.listTokens} */
  async listTokens(query: TokenQuery = {}): Promise<Page<TokenRecord>> {
    return this.#tokens.list(query);
  }

  /** {@inheritDoc TokenStore.deleteToken} */
  async deleteToken(tokenId: string): Promise<boolean> {
    return this.#tokens.delete(tokenId);
  }

  /** {@inheritDoc SessionStore.getSession} */
  async getSession(tokenId: string): Promise<SessionRecord | null> {
    return this.#tokens.getSession(tokenId);
  }

  /** {@inheritDoc SessionStore.putSession} */
  async putSession(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void> {
    return this.#tokens.putSession(tokenId, session);
  }
  /** {@inheritDoc SessionStore.putSessionFor} */
  async putSessionFor(
    tokenId: string,
    session: { sessionToken: string; ttlMs: number },
  ): Promise<void> {
    return this.#tokens.putSessionFor(tokenId, session);
  }

  /** {@inheritDoc SessionStore.deleteSession} */
  async deleteSession(tokenId: string): Promise<void> {
    return this.#tokens.deleteSession(tokenId);
  }

  // --- leases ------------------------------------------------------------------------------------

  /** {@inheritDoc LeaseStore.acquireLease} */
  async acquireLease(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner, ttlMs);
    return this.adapter.leases.acquire(tokenId, owner, ttlMs);
  }

  /** {@inheritDoc LeaseStore.renewLease} */
  async renewLease(
    tokenId: string,
    owner: string,
    generation: number,
    ttlMs: number,
  ): Promise<LeaseGrant> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner, ttlMs);
    return this.adapter.leases.renew(tokenId, owner, generation, ttlMs);
  }

  /** {@inheritDoc LeaseStore.releaseLease} */
  async releaseLease(tokenId: string, owner: string, generation: number): Promise<boolean> {
    checkTokenId(tokenId);
    checkLeaseArgs(owner);
    return this.adapter.leases.release(tokenId, owner, generation);
  }

  /** {@inheritDoc LeaseStore.getLease} */
  async getLease(tokenId: string): Promise<LeaseGrant | null> {
    return this.adapter.leases.get(checkTokenId(tokenId));
  }

  // --- cursors and pages -------------------------------------------------------------------------

  /** {@inheritDoc CursorStore.getCursor} */
  async getCursor(tokenId: string): Promise<CursorRecord | null> {
    return this.adapter.cursors.get(checkTokenId(tokenId));
  }

  /** {@inheritDoc CursorStore.setCursor} */
  async setCursor(input: SetCursorInput): Promise<CursorRecord> {
    checkTokenId(input?.tokenId);
    return this.adapter.cursors.set(withLastFullFetch(input));
  }

  /** {@inheritDoc CursorStore.resetCursor} */
  async resetCursor(tokenId: string): Promise<void> {
    return this.adapter.cursors.reset(checkTokenId(tokenId));
  }

  /** {@inheritDoc DeviceStore.applyPage} */
  async applyPage(input: ApplyPageInput): Promise<ApplyPageResult> {
    return writePage(this.adapter, input, this.#options.faultInjection);
  }

  // --- devices -----------------------------------------------------------------------------------

  /** {@inheritDoc DeviceStore.getDevice} */
  async getDevice(tokenId: string, serialNumber: string): Promise<DeviceRecord | null> {
    checkTokenId(tokenId);
    return this.adapter.devices.get(tokenId, checkSerial(serialNumber));
  }

  /** {@inheritDoc DeviceStore.getDevices} */
  async getDevices(tokenId: string, serialNumbers: readonly string[]): Promise<DeviceRecord[]> {
    checkTokenId(tokenId);
    const serials = checkSerials(serialNumbers);
    return serials.length === 0 ? [] : this.adapter.devices.getMany(tokenId, serials);
  }

  /** {@inheritDoc DeviceStore.listDevices} */
  async listDevices(tokenId: string, query: DeviceQuery = {}): Promise<Page<DeviceRecord>> {
    checkTokenId(tokenId);
    return this.adapter.devices.list(tokenId, { ...query, limit: pageLimit(query) });
  }

  /** {@inheritDoc DeviceStore.countDevices} */
  async countDevices(tokenId: string): Promise<Record<DeviceStatus, number>> {
    return this.adapter.devices.count(checkTokenId(tokenId));
  }

  /** {@inheritDoc DeviceStore.summarizeDevices} */
  async summarizeDevices(tokenId: string): Promise<DeviceSummary> {
    checkTokenId(tokenId);
    const devices = this.adapter.devices;
    return devices.summary === undefined
      ? summarizeByParts(this, tokenId)
      : devices.summary(tokenId);
  }

  /** {@inheritDoc DeviceStore.findDeviceBySerial} */
  async findDeviceBySerial(serialNumber: string): Promise<DeviceRecord[]> {
    return this.adapter.devices.findBySerial(checkSerial(serialNumber));
  }

  /** {@inheritDoc DeviceStore.updateDevices} */
  async updateDevices(
    tokenId: string,
    patches: readonly DevicePatch[],
    fence?: LeaseFence,
  ): Promise<number> {
    checkTokenId(tokenId);
    const normalised = normaliseDevicePatches(patches);
    const scoped = fence === undefined ? undefined : { ...fence, tokenId };
    return this.adapter.devices.update(tokenId, normalised, scoped);
  }

  /** {@inheritDoc DeviceStore.markMissingRemoved} */
  async markMissingRemoved(input: MarkMissingInput): Promise<string[]> {
    checkTokenId(input?.tokenId);
    return this.adapter.devices.markMissingRemoved(input);
  }

  // --- policy ------------------------------------------------------------------------------------

  /** {@inheritDoc PolicyStore.getPolicy} */
  async getPolicy(tokenId: string): Promise<PolicyRecord | null> {
    return this.adapter.policies.get(checkTokenId(tokenId));
  }

  /** {@inheritDoc PolicyStore.setPolicy} */
  async setPolicy(tokenId: string, policy: unknown): Promise<PolicyRecord> {
    checkTokenId(tokenId);
    return this.adapter.policies.set(tokenId, toJson(policy));
  }

  // --- assignments and retries -------------------------------------------------------------------

  /** {@inheritDoc AssignmentStore.recordAssignmentResults} */
  async recordAssignmentResults(
    tokenId: string,
    results: readonly AssignmentResultInput[],
    fence?: LeaseFence,
  ): Promise<void> {
    return recordResults(this.adapter, tokenId, results, fence);
  }

  /** {@inheritDoc AssignmentStore.listDueRetries} */
  async listDueRetries(
    tokenId: string,
    query: PageQuery & { now?: IsoDateTime | undefined } = {},
  ): Promise<Page<AssignmentRetryRecord>> {
    return dueRetries(this.adapter, tokenId, query);
  }

  /** {@inheritDoc AssignmentStore.listRetries} */
  async listRetries(tokenId: string, query: RetryQuery = {}): Promise<Page<AssignmentRetryRecord>> {
    checkTokenId(tokenId);
    return this.adapter.retries.list(tokenId, { ...query, limit: pageLimit(query) });
  }

  /** {@inheritDoc AssignmentStore.deleteRetries} */
  async deleteRetries(tokenId: string, serialNumbers: readonly string[]): Promise<number> {
    checkTokenId(tokenId);
    const serials = checkSerials(serialNumbers);
    return serials.length === 0 ? 0 : this.adapter.retries.delete(tokenId, serials);
  }

  // --- sync runs ---------------------------------------------------------------------------------

  /** {@inheritDoc SyncRunStore.startSyncRun} */
  async startSyncRun(
    tokenId: string,
    input: { owner?: string | undefined } = {},
  ): Promise<SyncRunRecord> {
    checkTokenId(tokenId);
    return this.adapter.runs.start(tokenId, input?.owner ?? null);
  }

  /** {@inheritDoc SyncRunStore.finishSyncRun} */
  async finishSyncRun(
    tokenId: string,
    runId: string,
    result: {
      status: Exclude<SyncRunStatus, 'running'>;
      report?: Readonly<Record<string, unknown>> | undefined;
      error?: { code: string; message: string } | undefined;
    },
  ): Promise<SyncRunRecord | null> {
    checkTokenId(tokenId);
    return this.adapter.runs.finish(tokenId, runId, runOutcome(result));
  }

  /** {@inheritDoc SyncRunStore.listSyncRuns} */
  async listSyncRuns(tokenId: string, query: PageQuery = {}): Promise<Page<SyncRunRecord>> {
    checkTokenId(tokenId);
    return this.adapter.runs.list(tokenId, { cursor: query.cursor, limit: pageLimit(query) });
  }

  /** {@inheritDoc SyncRunStore.pruneSyncRuns} */
  async pruneSyncRuns(tokenId: string, keep: number): Promise<number> {
    checkTokenId(tokenId);
    return this.adapter.runs.prune(tokenId, checkKeep(keep));
  }

  /** {@inheritDoc SyncRunStore.beginSyncRun} */
  async beginSyncRun(input: BeginSyncRunInput): Promise<SyncRunBegin> {
    checkTokenId(input?.tokenId);
    checkLeaseArgs(input.owner, input.ttlMs);
    const within = input.skipIfSyncedWithin;
    const checked = {
      ...input,
      now: checkIso(input.now, 'beginSyncRun now'),
      skipIfSyncedWithin:
        within === undefined
          ? undefined
          : {
              from: checkIso(within?.from, 'beginSyncRun skipIfSyncedWithin.from'),
              to: checkIso(within?.to, 'beginSyncRun skipIfSyncedWithin.to'),
            },
      ifTokenUnchanged:
        input.ifTokenUnchanged === undefined
          ? undefined
          : {
              updatedAt: checkIso(
                input.ifTokenUnchanged?.updatedAt,
                'beginSyncRun ifTokenUnchanged.updatedAt',
              ),
              credentialsId: input.ifTokenUnchanged.credentialsId ?? null,
            },
      knownPolicy: checkKnownPolicy(input.knownPolicy),
    };
    const begin = this.adapter.runs.begin;
    if (begin === undefined) return beginRunByParts(this, checked);
    const start = await begin.call(this.adapter.runs, checked);
    if (start === null || typeof start === 'string' || start.session == null) return start;
    // The adapter read the session as stored (sealed), like `sessions.get`.
    return { ...start, session: await this.#tokens.openSession(start.session) };
  }

  /** {@inheritDoc SyncRunStore.endSyncRun} */
  async endSyncRun(input: EndSyncRunInput): Promise<SyncRunEnd> {
    const tokenId = checkTokenId(input?.tokenId);
    const keep = checkKeep(input.keep, 1);
    const outcome = runOutcome(input.result);
    if (input.lease !== undefined) checkLeaseArgs(input.lease.owner);
    const runs = this.adapter.runs;
    if (runs.end === undefined) return endRunByParts(this, input);
    const token =
      input.token === undefined
        ? null
        : await this.#tokens.prepareUpdate(tokenId, input.token.patch, input.token.expect);
    const cursor = input.lease === undefined ? null : (input.cursor ?? null);
    const out = await runs.end({
      tokenId,
      runId: input.runId,
      outcome,
      keep,
      token,
      lease: input.lease ?? null,
      cursor,
    });
    const opened = {
      ...out,
      token: out.token === null ? null : await this.#tokens.open(out.token),
    };
    // A cursor given without a lease is never written.
    return input.cursor === undefined ? opened : { ...opened, cursor: opened.cursor ?? null };
  }

  // --- maintenance -------------------------------------------------------------------------------

  /** {@inheritDoc SecretMaintenance.reencryptSecrets} */
  async reencryptSecrets(): Promise<ReencryptResult> {
    const tokens = await this.#tokens.reencrypt();
    // Business API account keys too: a rotation that left them under the old key would make
    // them unreadable once that key is retired.
    const api = await this.apiAccounts?.reencryptSecrets?.();
    return {
      reencrypted: tokens.reencrypted + (api?.reencrypted ?? 0),
      unchanged: tokens.unchanged + (api?.unchanged ?? 0),
    };
  }

  /** {@inheritDoc AbmStorage.now} */
  async now(): Promise<IsoDateTime> {
    return this.adapter.now();
  }

  /** {@inheritDoc AbmStorage.close} */
  async close(): Promise<void> {
    return this.adapter.close();
  }

  /** @internal */
  [inspect.custom](): string {
    return `${this.constructor.name} { encrypts: ${this.secrets.encrypts} }`;
  }
}

/** `beginSyncRun`'s `knownPolicy`, checked: a revision (positive integer) and an ISO time. */
function checkKnownPolicy(
  known: BeginSyncRunInput['knownPolicy'],
): BeginSyncRunInput['knownPolicy'] {
  if (known === undefined) return undefined;
  // A stored revision is a positive 32-bit integer (PostgreSQL's `integer`).
  if (!Number.isInteger(known?.revision) || known.revision < 1 || known.revision > 2 ** 31 - 1) {
    throw new InvalidArgumentError(
      'beginSyncRun knownPolicy.revision must be the revision of a stored policy (an integer from 1 to 2147483647).',
    );
  }
  return {
    revision: known.revision,
    updatedAt: checkIso(known.updatedAt, 'beginSyncRun knownPolicy.updatedAt'),
  };
}
