import { inspect } from 'node:util';
import { InvalidArgumentError } from '../errors/index.js';
import { SecretBox, type SecretBoxOptions } from './secrets/secret-box.js';
import { checkIso, checkSerial, checkTokenId } from './shared/validate.js';
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
  PagePlanEntry,
  PageQuery,
  PolicyRecord,
  ReencryptResult,
  RetryQuery,
  SessionRecord,
  SetCursorInput,
  StorageCapabilities,
  SyncRunRecord,
  SyncRunStatus,
  TokenPatch,
  TokenQuery,
  TokenRecord,
} from './types.js';

/**
 * Checks {@link ApplyPageInput.plans} and indexes them by serial (`assignedAt` normalised; an
 * assignment without `assignedAt` is dropped). @internal
 */
export function pagePlans(input: ApplyPageInput): Map<string, PagePlanEntry> {
  const out = new Map<string, PagePlanEntry>();
  for (const p of input.plans ?? []) {
    const serialNumber = checkSerial(p?.serialNumber);
    if (!Number.isInteger(p.planRevision)) {
      throw new InvalidArgumentError('A page plan needs an integer `planRevision`.');
    }
    const assigned =
      p.assignedAt === undefined || typeof p.assignedProfileUuid !== 'string'
        ? {}
        : {
            assignedProfileUuid: p.assignedProfileUuid,
            assignedAt: checkIso(p.assignedAt, 'A page plan assignedAt'),
          };
    out.set(serialNumber, {
      serialNumber,
      resolvedProfileUuid: p.resolvedProfileUuid ?? null,
      unassignedReason: p.unassignedReason ?? null,
      planRevision: p.planRevision,
      ...assigned,
    });
  }
  return out;
}

/** Options every adapter built on {@link StorageBase} accepts. */
export interface StorageBaseOptions extends SecretBoxOptions {}

/** The secret fields of a token record, with the path used in their associated data. @internal */
const KEY_PAIR_FIELDS = ['currentKeyPair', 'pendingKeyPair'] as const;
const CREDENTIAL_SECRETS = ['consumerSecret', 'accessToken', 'accessSecret'] as const;

/**
 * The shared layer above every adapter: it encrypts secrets (key PEMs, OAuth secrets, session
 * tokens) before they reach the adapter and decrypts them on the way out, and implements key
 * rotation. Extend it to write your own adapter: implement the `raw*` token and session methods
 * (which only ever see sealed secrets) and the other {@link AbmStorage} methods, then run
 * `describeStorageConformance` from `abmkit/testing` against it.
 */
export abstract class StorageBase implements AbmStorage {
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
    return this.openToken(await this.rawSaveToken(tokenId, sealed as TokenPatch));
  }

  /** {@inheritDoc TokenStore.getToken} */
  async getToken(tokenId: string): Promise<TokenRecord | null> {
    checkTokenId(tokenId);
    const raw = await this.rawGetToken(tokenId);
    return raw === null ? null : this.openToken(raw);
  }

  /** {@inheritDoc TokenStore.listTokens} */
  async listTokens(query: TokenQuery = {}): Promise<Page<TokenRecord>> {
    const page = await this.rawListTokens(query);
    const items: TokenRecord[] = [];
    for (const raw of page.items) items.push(await this.openToken(raw));
    return { items, nextCursor: page.nextCursor };
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
          const open = await this.openToken(raw);
          const patch: TokenPatch = {};
          if (open.credentials) patch.credentials = open.credentials;
          if (open.currentKeyPair) patch.currentKeyPair = open.currentKeyPair;
          if (open.pendingKeyPair) patch.pendingKeyPair = open.pendingKeyPair;
          await this.saveToken(raw.tokenId, patch);
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
