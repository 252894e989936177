import { inspect } from 'node:util';
import { normaliseResult, planAssignmentResults } from '../domain/assignments.js';
import { collapsePage } from '../domain/devices.js';
import { toJson } from '../domain/json.js';
import { pagePlans } from '../domain/pages.js';
import { decodeRetryCursor, pageLimit } from '../domain/paging.js';
import { dueRetryPage } from '../domain/retries.js';
import { checkIso, checkLeaseArgs, checkSerial, checkTokenId } from '../domain/validate.js';
import { InvalidArgumentError, isAbmError } from '../errors/index.js';
import type { StorageAdapter } from './adapter.js';
import { ApiAccounts } from './api-accounts/api-accounts.js';
import type { ApiAccountStore } from './api-accounts/types.js';
import { checkKeep, checkTokenPatch, normaliseDevicePatches, runOutcome } from './front/checks.js';
import { reencryptStoredSecrets } from './front/reencrypt.js';
import { TokenSecrets } from './front/token-secrets.js';
import { SecretBox, type SecretBoxOptions } from './secrets/secret-box.js';
import type { FaultInjectionOptions } from './shared/faults.js';
import type {
  AbmStorage,
  ApplyPageInput,
  ApplyPageResult,
  AssignmentResultInput,
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
  PageQuery,
  PolicyRecord,
  ReencryptResult,
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
  readonly #tokens: TokenSecrets;
  readonly #options: StorageBaseOptions;

  /**
   * @param adapter - The persistence stores (see `docs/storage.md`, "Writing an adapter").
   * @param options - Secret-box options, fault injection (tests only) and the front's clock.
   */
  constructor(adapter: StorageAdapter, options: StorageBaseOptions = {}) {
    this.adapter = adapter;
    this.#options = options;
    this.secrets = new SecretBox(options);
    this.#tokens = new TokenSecrets(this.secrets);
    if (adapter.apiAccounts !== undefined) {
      this.apiAccounts = new ApiAccounts(adapter.apiAccounts, this.secrets, options.clock);
    }
  }

  /** {@inheritDoc AbmStorage.capabilities} */
  get capabilities(): StorageCapabilities {
    return this.adapter.capabilities;
  }

  // --- tokens ------------------------------------------------------------------------------------

  /** {@inheritDoc TokenStore.saveToken} */
  async saveToken(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    checkTokenId(tokenId);
    checkTokenPatch(patch);
    const sealed = await this.#sealPatch(tokenId, patch);
    return this.#tokens.open(await this.adapter.tokens.save(tokenId, sealed));
  }

  /** {@inheritDoc TokenStore.updateToken} */
  async updateToken(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    checkTokenId(tokenId);
    checkTokenPatch(patch);
    if (expect === null || typeof expect !== 'object') {
      throw new InvalidArgumentError('updateToken(tokenId, patch, expect) needs an expect object.');
    }
    const sealed = await this.#sealPatch(tokenId, patch);
    const raw = await this.adapter.tokens.update(tokenId, sealed, expect);
    return raw === null ? null : this.#tokens.open(raw);
  }

  async #sealPatch(tokenId: string, patch: TokenPatch): Promise<TokenPatch> {
    return toJson(await this.#tokens.seal(tokenId, patch)) as TokenPatch;
  }

  /** {@inheritDoc TokenStore.getToken} */
  async getToken(tokenId: string): Promise<TokenRecord | null> {
    const raw = await this.adapter.tokens.get(checkTokenId(tokenId));
    return raw === null ? null : this.#tokens.open(raw);
  }

  /** {@inheritDoc TokenStore.listTokens} */
  async listTokens(query: TokenQuery = {}): Promise<Page<TokenRecord>> {
    if (query === null || typeof query !== 'object') {
      if (query !== null && query !== undefined) {
        throw new InvalidArgumentError('listTokens(query) needs an object, e.g. { customerId }.');
      }
      query = {};
    }
    const page = await this.adapter.tokens.list({ ...query, limit: pageLimit(query) });
    const items: TokenRecord[] = [];
    for (const raw of page.items) {
      try {
        items.push(await this.#tokens.open(raw));
      } catch (error) {
        if (!isAbmError(error, 'SECRET_DECRYPT_FAILED')) throw error;
        items.push(this.#tokens.unreadable(raw));
      }
    }
    return { items, nextCursor: page.nextCursor };
  }

  /** {@inheritDoc TokenStore.deleteToken} */
  async deleteToken(tokenId: string): Promise<boolean> {
    return this.adapter.tokens.delete(checkTokenId(tokenId));
  }

  // --- sessions ----------------------------------------------------------------------------------

  /** {@inheritDoc SessionStore.getSession} */
  async getSession(tokenId: string): Promise<SessionRecord | null> {
    const raw = await this.adapter.sessions.get(checkTokenId(tokenId));
    if (raw === null) return null;
    const aad = `session|${tokenId}|sessionToken`;
    return { ...raw, sessionToken: await this.secrets.open(raw.sessionToken, aad) };
  }

  /** {@inheritDoc SessionStore.putSession} */
  async putSession(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void> {
    checkTokenId(tokenId);
    const aad = `session|${tokenId}|sessionToken`;
    const sessionToken = await this.secrets.seal(session.sessionToken, aad);
    const expiresAt = checkIso(session.expiresAt, 'A session expiresAt');
    await this.adapter.sessions.put(tokenId, { sessionToken, expiresAt });
  }

  /** {@inheritDoc SessionStore.deleteSession} */
  async deleteSession(tokenId: string): Promise<void> {
    return this.adapter.sessions.delete(checkTokenId(tokenId));
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
    const tokenId = checkTokenId(input?.tokenId);
    const devices = collapsePage(input.devices);
    const plans = pagePlans(input);
    const { plans: _plans, ...rest } = withLastFullFetch(input);
    const faults = this.#options.faultInjection;
    const betweenWrites = async (): Promise<void> => {
      await faults?.betweenWrites?.('applyPage', tokenId);
    };
    return this.adapter.cursors.applyPage({ ...rest, devices, plans }, betweenWrites);
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
    const serials = [...new Set(serialNumbers)];
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
    checkTokenId(tokenId);
    const normalised = results.map(normaliseResult);
    if (normalised.length === 0 && fence === undefined) return;
    const at = await this.now();
    const plans = planAssignmentResults(normalised, at);
    const scoped = fence === undefined ? undefined : { ...fence, tokenId };
    await this.adapter.retries.record(tokenId, plans, at, scoped);
  }

  /** {@inheritDoc AssignmentStore.listDueRetries} */
  async listDueRetries(
    tokenId: string,
    query: PageQuery & { now?: IsoDateTime | undefined } = {},
  ): Promise<Page<AssignmentRetryRecord>> {
    checkTokenId(tokenId);
    const limit = pageLimit(query);
    const after = query.cursor === undefined ? null : decodeRetryCursor(query.cursor);
    const now = query.now === undefined ? await this.now() : checkIso(query.now, 'now');
    const candidates = await this.adapter.retries.due(tokenId, { now, after, limit });
    return dueRetryPage(candidates, now, after, limit);
  }

  /** {@inheritDoc AssignmentStore.listRetries} */
  async listRetries(tokenId: string, query: RetryQuery = {}): Promise<Page<AssignmentRetryRecord>> {
    checkTokenId(tokenId);
    return this.adapter.retries.list(tokenId, { ...query, limit: pageLimit(query) });
  }

  /** {@inheritDoc AssignmentStore.deleteRetries} */
  async deleteRetries(tokenId: string, serialNumbers: readonly string[]): Promise<number> {
    checkTokenId(tokenId);
    const serials = [...new Set(serialNumbers)];
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

  // --- maintenance -------------------------------------------------------------------------------

  /** {@inheritDoc SecretMaintenance.reencryptSecrets} */
  async reencryptSecrets(): Promise<ReencryptResult> {
    return reencryptStoredSecrets(this.adapter, this.secrets, this.#tokens);
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

/** The input with `lastFullFetchAt` normalised (when given). */
function withLastFullFetch<T extends { lastFullFetchAt?: IsoDateTime | undefined }>(input: T): T {
  return input.lastFullFetchAt === undefined
    ? input
    : { ...input, lastFullFetchAt: checkIso(input.lastFullFetchAt, 'lastFullFetchAt') };
}
