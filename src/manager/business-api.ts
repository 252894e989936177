import { AbmApiClient } from '../api/abm-api-client.js';
import type {
  AssignDevicesToServerOptions,
  AssignToServerReport,
  AssignToServerSummary,
  SerialSource,
} from '../api/assign-to-server.js';
import { storageAccessTokenCache } from '../api/token-cache.js';
import { InvalidArgumentError, isAbmError, NotFoundError } from '../errors/index.js';
import type {
  ApiAccountHealthStatus,
  ApiAccountRecord,
  ApiAccountStore,
  ServerLinkRecord,
} from '../storage/index.js';
import type { TokenRecord } from '../storage/types.js';
import type { ManagerContext } from './context.js';
import { requireToken } from './token-lifecycle.js';

/** Input of `manager.saveApiAccount`: an API account created in Apple Business Manager. */
export interface SaveApiAccountInput {
  /** `BUSINESSAPI.<uuid>` or `SCHOOLAPI.<uuid>`. */
  clientId: string;
  /** Key id. */
  keyId: string;
  /** The P-256 private key PEM ABM generated. Stored encrypted. */
  privateKey: string;
  /** The customer it belongs to (tokens of this customer use it). */
  customerId?: string;
  /** The site it belongs to (preferred for tokens of this site). */
  siteId?: string;
  /** Display name. */
  name?: string;
  /** API base URL override (simulators, proxies). */
  baseUrl?: string;
  /** Token URL override. */
  tokenUrl?: string;
}

/** An API account without its key, as listings show it. */
export interface ApiAccountSummary {
  /** The embedder's id. */
  accountId: string;
  /** Client id (not secret). */
  clientId: string;
  /** Key id (not secret). */
  keyId: string;
  /** Customer. */
  customerId: string | null;
  /** Site. */
  siteId: string | null;
  /** Display name. */
  name: string | null;
  /** Last known health. */
  status: ApiAccountHealthStatus;
  /** What to do about `status`. */
  advice: string;
  /** The last error seen. */
  lastError: { code: string; message: string; at: string } | null;
}

/** Payload of the `apiAccount.health` event, on each change of an API account's health. */
export interface ApiAccountHealthEvent {
  /** The account. */
  accountId: string;
  /** Its new health. */
  account: ApiAccountSummary;
}

/** A device of the organisation that is not on a token's server (see `manager.listOrgDevices`). */
export interface OrgDeviceElsewhere {
  /** Serial number. */
  serialNumber: string;
  /** Product family, e.g. `iPhone`. */
  productFamily: string | null;
  /** `UNASSIGNED` (on no server) or `ASSIGNED` (on another server). */
  status: string | null;
  /** Advice for the "devices not appearing" row of the product guide. */
  advice: string;
}

/** Options of `manager.listOrgDevices`. */
export interface ListOrgDevicesOptions {
  /** Page size of the API requests. @default 1000 */
  pageSize?: number;
  /** Aborts the listing. */
  signal?: AbortSignal;
}

/** Options of `manager.assignDevices`. */
export interface ManagerAssignDevicesOptions extends AssignDevicesToServerOptions {
  /** Use this API account instead of the one found by the token's customer and site. */
  accountId?: string;
}

const ADVICE: Record<ApiAccountHealthStatus, string> = {
  unknown: 'Not used yet.',
  valid: 'Nothing to do.',
  'key-revoked':
    'Apple refused the API account: its key was revoked or the client/key id is wrong. Generate a new private key for the API account in Apple Business Manager and save it with saveApiAccount().',
  'scope-wrong':
    'The API account has the wrong scope or privileges for this host: a BUSINESSAPI.* account works with Apple Business Manager, a SCHOOLAPI.* one with Apple School Manager.',
  error: 'The last call failed; see lastError. It is retried on the next use.',
};

/** The storage's API account store, or a typed error. @internal */
export function apiStore(ctx: ManagerContext): ApiAccountStore {
  const store = ctx.storage.apiAccounts;
  if (store === undefined) {
    throw new InvalidArgumentError(
      'This storage does not keep Business API accounts (storage.apiAccounts is missing); use a built-in adapter or implement ApiAccountStore.',
    );
  }
  return store;
}

/** @internal */
export function summary(rec: ApiAccountRecord): ApiAccountSummary {
  const status = rec.healthStatus ?? 'unknown';
  return {
    accountId: rec.accountId,
    clientId: rec.clientId,
    keyId: rec.keyId,
    customerId: rec.customerId ?? null,
    siteId: rec.siteId ?? null,
    name: rec.name ?? null,
    status,
    advice: ADVICE[status],
    lastError: rec.lastError ?? null,
  };
}

/** Validates (a typed error, nothing stored) and stores an API account. @internal */
export async function saveApiAccount(
  ctx: ManagerContext,
  accountId: string,
  input: SaveApiAccountInput,
): Promise<ApiAccountSummary> {
  if (input === null || typeof input !== 'object') {
    throw new InvalidArgumentError('saveApiAccount needs { clientId, keyId, privateKey }.');
  }
  const store = apiStore(ctx);
  // Constructing a client checks the id formats and the key, before anything is stored.
  const probe = new AbmApiClient({
    clientId: input.clientId,
    keyId: input.keyId,
    privateKey: input.privateKey,
    ...(input.baseUrl === undefined ? {} : { baseUrl: input.baseUrl }),
    ...(input.tokenUrl === undefined ? {} : { tokenUrl: input.tokenUrl }),
  });
  const saved = await store.saveApiAccount(accountId, {
    clientId: probe.clientId,
    keyId: probe.keyId,
    privateKeyPem: input.privateKey,
    customerId: input.customerId ?? null,
    siteId: input.siteId ?? null,
    name: input.name ?? null,
    baseUrl: input.baseUrl ?? null,
    tokenUrl: input.tokenUrl ?? null,
    healthStatus: 'unknown',
    lastError: null,
  });
  return summary(saved);
}

/** A client for a stored account (its access tokens cached, encrypted, in the storage). @internal */
export function clientFor(
  ctx: ManagerContext,
  rec: ApiAccountRecord,
  extra: { userAgent?: string | undefined; fetch?: typeof globalThis.fetch | undefined },
): AbmApiClient {
  return new AbmApiClient({
    clientId: rec.clientId,
    keyId: rec.keyId,
    privateKey: rec.privateKeyPem,
    ...(rec.baseUrl === undefined ? {} : { baseUrl: rec.baseUrl }),
    ...(rec.tokenUrl === undefined ? {} : { tokenUrl: rec.tokenUrl }),
    ...(extra.userAgent === undefined ? {} : { userAgent: extra.userAgent }),
    ...(extra.fetch === undefined ? {} : { fetch: extra.fetch }),
    tokenCache: storageAccessTokenCache(ctx.storage),
    logger: ctx.logger,
  });
}

/** The stored account, or a typed error. @internal */
export async function requireAccount(
  ctx: ManagerContext,
  accountId: string,
): Promise<ApiAccountRecord> {
  const rec = await apiStore(ctx).getApiAccount(accountId);
  if (rec === null) {
    throw new NotFoundError(
      `No Business API account with id "${accountId}" is stored. Save it with saveApiAccount() first.`,
    );
  }
  return rec;
}

/** The account serving a token: explicit, else same customer and site, else same customer. @internal */
export async function accountForToken(
  ctx: ManagerContext,
  token: TokenRecord,
  accountId: string | undefined,
): Promise<ApiAccountRecord> {
  if (accountId !== undefined) return requireAccount(ctx, accountId);
  const store = apiStore(ctx);
  const page = await store.listApiAccounts({
    limit: 1000,
    ...(token.customerId === undefined ? {} : { customerId: token.customerId }),
  });
  const candidates = page.items.filter((a) => a.customerId === token.customerId);
  const best =
    candidates.find((a) => a.siteId !== undefined && a.siteId === token.siteId) ??
    candidates.find((a) => a.siteId === undefined) ??
    candidates[0];
  if (best === undefined) {
    throw new NotFoundError(
      `No Business API account is stored for the customer of token "${token.tokenId}". Create an API account in Apple Business Manager and save it with saveApiAccount() (same customerId).`,
    );
  }
  return best;
}

function statusFor(error: unknown): ApiAccountHealthStatus {
  if (!isAbmError(error)) return 'error';
  if (error.code === 'AUTH_FAILED') return 'key-revoked';
  if (error.code === 'CONFIGURATION_INVALID' || error.code === 'ACCESS_DENIED')
    return 'scope-wrong';
  return 'error';
}

/** Records the outcome of a call in the account's health; emits `apiAccount.health` on change. @internal */
export async function recordApiHealth(
  ctx: ManagerContext,
  rec: ApiAccountRecord,
  error: unknown,
): Promise<void> {
  const status: ApiAccountHealthStatus = error === undefined ? 'valid' : statusFor(error);
  const at = ctx.now().toISOString();
  if (status === rec.healthStatus && error === undefined) return;
  const saved = await apiStore(ctx).saveApiAccount(rec.accountId, {
    healthStatus: status,
    ...(status === rec.healthStatus ? {} : { healthChangedAt: at }),
    lastError:
      error === undefined
        ? null
        : {
            code: isAbmError(error) ? error.code : 'UNKNOWN',
            message: String((error as Error)?.message ?? error).slice(0, 500),
            at,
          },
  });
  if (status !== rec.healthStatus) {
    ctx.events.emit('apiAccount.health', { accountId: rec.accountId, account: summary(saved) });
  }
}

/** Runs `fn` with the account's client, recording its health. @internal */
export async function withAccount<T>(
  ctx: ManagerContext,
  rec: ApiAccountRecord,
  client: AbmApiClient,
  fn: (client: AbmApiClient) => Promise<T>,
): Promise<T> {
  try {
    const out = await fn(client);
    await recordApiHealth(ctx, rec, undefined);
    return out;
  } catch (error) {
    if (
      isAbmError(error) &&
      [
        'AUTH_FAILED',
        'CONFIGURATION_INVALID',
        'ACCESS_DENIED',
        'RATE_LIMITED',
        'SERVER_ERROR',
        'CONNECTION_FAILED',
      ].includes(error.code)
    ) {
      await recordApiHealth(ctx, rec, error).catch(() => undefined);
    }
    throw error;
  }
}

/**
 * Links an ADE token to its `mdmServers` record: the ADE `server_uuid` (dashes removed, upper
 * case) equal to the REST id, else the only server with the token's `server_name`. @internal
 */
export async function linkServer(
  ctx: ManagerContext,
  tokenId: string,
  accountId: string | undefined,
  client: (rec: ApiAccountRecord) => AbmApiClient,
): Promise<ServerLinkRecord> {
  const token = await requireToken(ctx, tokenId);
  const account = token.account as { server_uuid?: unknown; server_name?: unknown } | undefined;
  const uuid =
    typeof account?.server_uuid === 'string'
      ? account.server_uuid.replace(/-/g, '').toUpperCase()
      : undefined;
  const name = typeof account?.server_name === 'string' ? account.server_name : undefined;
  if (uuid === undefined && name === undefined) {
    throw new InvalidArgumentError(
      `Token "${tokenId}" has no ADE account details yet; run syncNow("${tokenId}") once so that its server_uuid is known, then link it.`,
    );
  }
  const rec = await accountForToken(ctx, token, accountId);
  return withAccount(ctx, rec, client(rec), async (api) => {
    const byName: { id: string; serverName: string | null }[] = [];
    for await (const server of api.mdmServers({ limit: 1000, fields: ['serverName'] })) {
      if (uuid !== undefined && server.id.replace(/-/g, '').toUpperCase() === uuid) {
        return save(server.id, server.serverName ?? null, 'server_uuid');
      }
      if (name !== undefined && server.serverName === name)
        byName.push({ id: server.id, serverName: server.serverName });
    }
    if (byName.length === 1 && byName[0] !== undefined)
      return save(byName[0].id, byName[0].serverName, 'name');
    throw new NotFoundError(
      byName.length > 1
        ? `Several MDM servers in Apple Business Manager are named "${name}"; rename them so that token "${tokenId}" can be linked.`
        : `No MDM server in Apple Business Manager matches token "${tokenId}" (server_uuid ${uuid ?? 'unknown'}, name "${name ?? ''}"). Check that the API account belongs to the same organisation.`,
    );
  });

  async function save(
    serverId: string,
    serverName: string | null,
    matchedBy: 'server_uuid' | 'name',
  ): Promise<ServerLinkRecord> {
    const link: ServerLinkRecord = {
      tokenId,
      accountId: rec.accountId,
      serverId,
      serverName,
      matchedBy,
      linkedAt: ctx.now().toISOString(),
    };
    await apiStore(ctx).saveServerLink(link);
    return link;
  }
}

/** Puts devices on the token's server. @internal */
export async function assignDevicesToToken(
  ctx: ManagerContext,
  tokenId: string,
  source: SerialSource,
  options: ManagerAssignDevicesOptions,
  client: (rec: ApiAccountRecord) => AbmApiClient,
): Promise<AssignToServerReport | AssignToServerSummary> {
  const link =
    (await apiStore(ctx).getServerLink(tokenId)) ??
    (await linkServer(ctx, tokenId, options.accountId, client));
  const rec = await requireAccount(ctx, options.accountId ?? link.accountId);
  const { accountId: _ignored, ...rest } = options;
  return withAccount(ctx, rec, client(rec), (api) =>
    api.assignDevicesToServer(link.serverId, source, rest),
  );
}

/** Organisation devices not on the token's server. @internal */
export async function* orgDevicesElsewhere(
  ctx: ManagerContext,
  tokenId: string,
  options: ListOrgDevicesOptions,
  client: (rec: ApiAccountRecord) => AbmApiClient,
): AsyncGenerator<OrgDeviceElsewhere> {
  const link =
    (await apiStore(ctx).getServerLink(tokenId)) ??
    (await linkServer(ctx, tokenId, undefined, client));
  const rec = await requireAccount(ctx, link.accountId);
  const api = client(rec);
  const limit = options.pageSize ?? 1000;
  const signal = options.signal ? { signal: options.signal } : {};
  const here = new Set<string>();
  for await (const serial of api.mdmServerDevices(link.serverId, { limit, ...signal }))
    here.add(serial);
  for await (const device of api.orgDevices({
    limit,
    fields: ['serialNumber', 'productFamily', 'status'],
    ...signal,
  })) {
    if (here.has(device.id)) continue;
    const status = typeof device.status === 'string' ? device.status : null;
    yield {
      serialNumber: device.id,
      productFamily: typeof device.productFamily === 'string' ? device.productFamily : null,
      status,
      advice:
        status === 'UNASSIGNED'
          ? `On no MDM server: assign it with assignDevices("${tokenId}", [serial]) (or set default product families) and it arrives with the next sync.`
          : `On another MDM server: move it with assignDevices("${tokenId}", [serial]) if it belongs here.`,
    };
  }
}
