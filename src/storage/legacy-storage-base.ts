import { inspect } from 'node:util';
import { tokenMatches } from '../domain/tokens.js';
import { checkTokenId } from '../domain/validate.js';
import { InvalidArgumentError, isAbmError } from '../errors/index.js';
import { unreadableSecrets } from './front/token-secrets.js';
import { SecretBox } from './secrets/secret-box.js';
import type { StorageBaseOptions } from './storage-base.js';
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

/** Checks a token patch argument. @internal */
function checkTokenPatch(patch: unknown): void {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new InvalidArgumentError(
      'A token patch must be an object of the fields to change, e.g. { name: "HQ" }.',
    );
  }
}

/** The secret fields of a token record, with the path used in their associated data. @internal */
const KEY_PAIR_FIELDS = ['currentKeyPair', 'pendingKeyPair', 'previousPendingKeyPair'] as const;
const CREDENTIAL_SECRETS = ['consumerSecret', 'accessToken', 'accessSecret'] as const;

/**
 * The storage layer as it was before the adapter interface: one abstract class per adapter
 * with `raw*` token and session methods. Kept only while the PostgreSQL and Redis adapters
 * move to `StorageAdapter`; new code builds a `StorageBase` over a `StorageAdapter`.
 * @internal
 */
export abstract class LegacyStorageBase implements AbmStorage {
  /** The envelope-encryption box (see {@link SecretBox}). */
  protected readonly secrets: SecretBox;

  /** What the adapter guarantees. */
  abstract readonly capabilities: StorageCapabilities;

  constructor(options: StorageBaseOptions = {}) {
    this.secrets = new SecretBox(options);
  }

  // --- raw secret-bearing persistence, implemented by adapters --------------------------------

  /** Creates or shallow-patches the token; secret fields in `patch` are already sealed. */
  protected abstract rawSaveToken(tokenId: string, patch: TokenPatch): Promise<TokenRecord>;
  /** The stored token with sealed secrets, or `null`. */
  protected abstract rawGetToken(tokenId: string): Promise<TokenRecord | null>;
  /** Stored tokens with sealed secrets. */
  protected abstract rawListTokens(query: TokenQuery): Promise<Page<TokenRecord>>;
  /** Stores the session; `sessionToken` is already sealed. */
  protected abstract rawPutSession(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void>;
  /** The stored session (sealed), or `null` when absent or expired. */
  protected abstract rawGetSession(tokenId: string): Promise<SessionRecord | null>;

  // --- tokens ------------------------------------------------------------------------------------

  /** {@inheritDoc TokenStore.saveToken} */
  async saveToken(tokenId: string, patch: TokenPatch): Promise<TokenRecord> {
    checkTokenId(tokenId);
    checkTokenPatch(patch);
    return this.openToken(await this.rawSaveToken(tokenId, await this.sealPatch(tokenId, patch)));
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
    const raw = await this.rawUpdateToken(tokenId, await this.sealPatch(tokenId, patch), expect);
    return raw === null ? null : this.openToken(raw);
  }

  /**
   * Conditional shallow patch (see {@link TokenStore.updateToken}); `patch` is sealed. Adapters
   * override it with an atomic version; this default reads, compares and writes.
   */
  protected async rawUpdateToken(
    tokenId: string,
    patch: TokenPatch,
    expect: TokenExpectation,
  ): Promise<TokenRecord | null> {
    const current = await this.rawGetToken(tokenId);
    if (current === null || !tokenMatches(current, expect)) return null;
    return this.rawSaveToken(tokenId, patch);
  }

  /** Seals the secret fields of a patch. */
  protected async sealPatch(tokenId: string, patch: TokenPatch): Promise<TokenPatch> {
    const sealed: Record<string, unknown> = { ...patch };
    for (const field of KEY_PAIR_FIELDS) {
      const kp = patch[field];
      if (kp) {
        sealed[field] = {
          ...kp,
          privateKeyPem: await this.secrets.seal(
            kp.privateKeyPem,
            `token|${tokenId}|${field}.privateKeyPem`,
          ),
        };
      }
    }
    const creds = patch.credentials;
    if (creds) {
      const out: Record<string, unknown> = { ...creds };
      for (const f of CREDENTIAL_SECRETS) {
        out[f] = await this.secrets.seal(creds[f], `token|${tokenId}|credentials.${f}`);
      }
      Object.assign(sealed, { credentials: out });
    }
    return sealed as TokenPatch;
  }

  /** {@inheritDoc TokenStore.getToken} */
  async getToken(tokenId: string): Promise<TokenRecord | null> {
    checkTokenId(tokenId);
    const raw = await this.rawGetToken(tokenId);
    return raw === null ? null : this.openToken(raw);
  }

  /** {@inheritDoc TokenStore.listTokens} */
  async listTokens(query: TokenQuery = {}): Promise<Page<TokenRecord>> {
    if (query === null || typeof query !== 'object') {
      if (query !== null && query !== undefined) {
        throw new InvalidArgumentError('listTokens(query) needs an object, e.g. { customerId }.');
      }
      query = {};
    }
    const page = await this.rawListTokens(query);
    const items: TokenRecord[] = [];
    for (const raw of page.items) {
      try {
        items.push(await this.openToken(raw));
      } catch (error) {
        if (!isAbmError(error, 'SECRET_DECRYPT_FAILED')) throw error;
        items.push(this.unreadableToken(raw));
      }
    }
    return { items, nextCursor: page.nextCursor };
  }

  /** A token without its secret fields, marked with the key id that sealed them. */
  protected unreadableToken(raw: TokenRecord): TokenRecord {
    const { credentials, currentKeyPair, pendingKeyPair, previousPendingKeyPair, ...rest } = raw;
    void previousPendingKeyPair;
    const sealed =
      credentials?.accessToken ?? currentKeyPair?.privateKeyPem ?? pendingKeyPair?.privateKeyPem;
    const keyId = sealed === undefined ? null : this.secrets.keyIdOf(sealed);
    const active = this.secrets.activeKeyId;
    const hint = `The token's secrets were sealed with key ${keyId === null ? '(unknown id)' : `"${keyId}"`}, which this storage does not hold${active === null ? ' (it has no encryptionKey)' : ` (its active key is "${active}")`}. Pass that key to the storage: encryptionKey as a 32-byte Buffer (a key kept as hex text must be decoded: Buffer.from(hex, 'hex')), or a keyring (createKeyring) holding it.`;
    const out: TokenRecord = { ...rest };
    Object.defineProperty(out, unreadableSecrets, {
      value: Object.freeze({ keyId, hint }),
      enumerable: false,
    });
    return out;
  }

  /** Decrypts the secret fields of a stored token. */
  protected async openToken(raw: TokenRecord): Promise<TokenRecord> {
    const out: TokenRecord = { ...raw };
    for (const field of KEY_PAIR_FIELDS) {
      const kp = raw[field];
      if (kp) {
        out[field] = {
          ...kp,
          privateKeyPem: await this.secrets.open(
            kp.privateKeyPem,
            `token|${raw.tokenId}|${field}.privateKeyPem`,
          ),
        };
      }
    }
    if (raw.credentials) {
      const c = { ...raw.credentials };
      for (const f of CREDENTIAL_SECRETS) {
        c[f] = await this.secrets.open(c[f], `token|${raw.tokenId}|credentials.${f}`);
      }
      out.credentials = c;
    }
    return out;
  }

  // --- sessions ----------------------------------------------------------------------------------

  /** {@inheritDoc SessionStore.getSession} */
  async getSession(tokenId: string): Promise<SessionRecord | null> {
    checkTokenId(tokenId);
    const raw = await this.rawGetSession(tokenId);
    if (raw === null) return null;
    return {
      ...raw,
      sessionToken: await this.secrets.open(raw.sessionToken, `session|${tokenId}|sessionToken`),
    };
  }

  /** {@inheritDoc SessionStore.putSession} */
  async putSession(
    tokenId: string,
    session: { sessionToken: string; expiresAt: IsoDateTime },
  ): Promise<void> {
    checkTokenId(tokenId);
    const sessionToken = await this.secrets.seal(
      session.sessionToken,
      `session|${tokenId}|sessionToken`,
    );
    await this.rawPutSession(tokenId, { sessionToken, expiresAt: session.expiresAt });
  }

  /** {@inheritDoc SessionStore.deleteSession} */
  abstract deleteSession(tokenId: string): Promise<void>;

  // --- key rotation ------------------------------------------------------------------------------

  /** {@inheritDoc SecretMaintenance.reencryptSecrets} */
  async reencryptSecrets(): Promise<ReencryptResult> {
    let reencrypted = 0;
    let unchanged = 0;
    let cursor: string | undefined;
    do {
      const page = await this.rawListTokens({ cursor, limit: 500 });
      for (const raw of page.items) {
        if (this.tokenNeedsReencrypt(raw)) {
          // Compare-and-set: a token uploaded or renewed while its old secrets were being
          // re-encrypted keeps the new ones (they are sealed under the active key already).
          let current: TokenRecord | null = raw;
          for (let attempt = 0; current !== null && attempt < 5; attempt++) {
            if (!this.tokenNeedsReencrypt(current)) break;
            const open = await this.openToken(current);
            const patch: TokenPatch = {};
            const expect: TokenExpectation = {};
            for (const f of ['credentials', ...KEY_PAIR_FIELDS] as const) {
              expect[f] = current[f] ?? null;
              if (open[f]) Object.assign(patch, { [f]: open[f] });
            }
            const sealed = await this.sealPatch(raw.tokenId, patch);
            if ((await this.rawUpdateToken(raw.tokenId, sealed, expect)) !== null) break;
            current = await this.rawGetToken(raw.tokenId);
          }
          reencrypted++;
        } else {
          unchanged++;
        }
        const session = await this.rawGetSession(raw.tokenId);
        if (session !== null) {
          if (this.secrets.needsReencrypt(session.sessionToken)) {
            const token = await this.secrets.open(
              session.sessionToken,
              `session|${raw.tokenId}|sessionToken`,
            );
            await this.putSession(raw.tokenId, {
              sessionToken: token,
              expiresAt: session.expiresAt,
            });
            reencrypted++;
          } else {
            unchanged++;
          }
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return { reencrypted, unchanged };
  }

  private tokenNeedsReencrypt(raw: TokenRecord): boolean {
    const sealed: string[] = [];
    if (raw.currentKeyPair) sealed.push(raw.currentKeyPair.privateKeyPem);
    if (raw.pendingKeyPair) sealed.push(raw.pendingKeyPair.privateKeyPem);
    if (raw.previousPendingKeyPair) sealed.push(raw.previousPendingKeyPair.privateKeyPem);
    if (raw.credentials) for (const f of CREDENTIAL_SECRETS) sealed.push(raw.credentials[f]);
    return sealed.some((s) => this.secrets.needsReencrypt(s));
  }

  // --- everything else: implemented by the adapter -----------------------------------------------

  /** {@inheritDoc TokenStore.deleteToken} */
  abstract deleteToken(tokenId: string): Promise<boolean>;
  /** {@inheritDoc LeaseStore.acquireLease} */
  abstract acquireLease(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null>;
  /** {@inheritDoc LeaseStore.renewLease} */
  abstract renewLease(
    tokenId: string,
    owner: string,
    generation: number,
    ttlMs: number,
  ): Promise<LeaseGrant>;
  /** {@inheritDoc LeaseStore.releaseLease} */
  abstract releaseLease(tokenId: string, owner: string, generation: number): Promise<boolean>;
  /** {@inheritDoc LeaseStore.getLease} */
  abstract getLease(tokenId: string): Promise<LeaseGrant | null>;
  /** {@inheritDoc CursorStore.getCursor} */
  abstract getCursor(tokenId: string): Promise<CursorRecord | null>;
  /** {@inheritDoc CursorStore.setCursor} */
  abstract setCursor(input: SetCursorInput): Promise<CursorRecord>;
  /** {@inheritDoc CursorStore.resetCursor} */
  abstract resetCursor(tokenId: string): Promise<void>;
  /** {@inheritDoc DeviceStore.applyPage} */
  abstract applyPage(input: ApplyPageInput): Promise<ApplyPageResult>;
  /** {@inheritDoc DeviceStore.getDevice} */
  abstract getDevice(tokenId: string, serialNumber: string): Promise<DeviceRecord | null>;
  /** {@inheritDoc DeviceStore.getDevices} */
  abstract getDevices(tokenId: string, serialNumbers: readonly string[]): Promise<DeviceRecord[]>;
  /** {@inheritDoc DeviceStore.listDevices} */
  abstract listDevices(tokenId: string, query?: DeviceQuery): Promise<Page<DeviceRecord>>;
  /** {@inheritDoc DeviceStore.countDevices} */
  abstract countDevices(tokenId: string): Promise<Record<DeviceStatus, number>>;
  /** {@inheritDoc DeviceStore.findDeviceBySerial} */
  abstract findDeviceBySerial(serialNumber: string): Promise<DeviceRecord[]>;
  /** {@inheritDoc DeviceStore.updateDevices} */
  abstract updateDevices(
    tokenId: string,
    patches: readonly DevicePatch[],
    fence?: LeaseFence,
  ): Promise<number>;
  /** {@inheritDoc DeviceStore.markMissingRemoved} */
  abstract markMissingRemoved(input: MarkMissingInput): Promise<string[]>;
  /** {@inheritDoc PolicyStore.getPolicy} */
  abstract getPolicy(tokenId: string): Promise<PolicyRecord | null>;
  /** {@inheritDoc PolicyStore.setPolicy} */
  abstract setPolicy(tokenId: string, policy: unknown): Promise<PolicyRecord>;
  /** {@inheritDoc AssignmentStore.recordAssignmentResults} */
  abstract recordAssignmentResults(
    tokenId: string,
    results: readonly AssignmentResultInput[],
    fence?: LeaseFence,
  ): Promise<void>;
  /** {@inheritDoc AssignmentStore.listDueRetries} */
  abstract listDueRetries(
    tokenId: string,
    query?: PageQuery & { now?: IsoDateTime | undefined },
  ): Promise<Page<AssignmentRetryRecord>>;
  /** {@inheritDoc AssignmentStore.listRetries} */
  abstract listRetries(tokenId: string, query?: RetryQuery): Promise<Page<AssignmentRetryRecord>>;
  /** {@inheritDoc AssignmentStore.deleteRetries} */
  abstract deleteRetries(tokenId: string, serialNumbers: readonly string[]): Promise<number>;
  /** {@inheritDoc SyncRunStore.startSyncRun} */
  abstract startSyncRun(
    tokenId: string,
    input?: { owner?: string | undefined },
  ): Promise<SyncRunRecord>;
  /** {@inheritDoc SyncRunStore.finishSyncRun} */
  abstract finishSyncRun(
    tokenId: string,
    runId: string,
    result: {
      status: Exclude<SyncRunStatus, 'running'>;
      report?: Readonly<Record<string, unknown>> | undefined;
      error?: { code: string; message: string } | undefined;
    },
  ): Promise<SyncRunRecord | null>;
  /** {@inheritDoc SyncRunStore.listSyncRuns} */
  abstract listSyncRuns(tokenId: string, query?: PageQuery): Promise<Page<SyncRunRecord>>;
  /** {@inheritDoc SyncRunStore.pruneSyncRuns} */
  abstract pruneSyncRuns(tokenId: string, keep: number): Promise<number>;
  /** {@inheritDoc AbmStorage.now} */
  abstract now(): Promise<IsoDateTime>;
  /** {@inheritDoc AbmStorage.close} */
  abstract close(): Promise<void>;

  /** @internal */
  [inspect.custom](): string {
    return `${this.constructor.name} { encrypts: ${this.secrets.encrypts} }`;
  }
}
