import type { IsoDateTime, Page, PageQuery } from '../types.js';

/** Health of a stored API account, as the manager last saw it. */
export type ApiAccountHealthStatus = 'unknown' | 'valid' | 'key-revoked' | 'scope-wrong' | 'error';

/**
 * An Apple Business Manager API account (client id, key id, private key) stored for a customer
 * (and optionally a site). `privateKeyPem` is a secret: encrypted at rest.
 */
export interface ApiAccountRecord {
  /** The embedder's id for this account. */
  accountId: string;
  /** `BUSINESSAPI.<uuid>` or `SCHOOLAPI.<uuid>`. */
  clientId: string;
  /** Key id. */
  keyId: string;
  /** P-256 private key PEM. Secret. */
  privateKeyPem: string;
  /** Customer it belongs to. */
  customerId?: string | undefined;
  /** Site it belongs to. */
  siteId?: string | undefined;
  /** Display name. */
  name?: string | undefined;
  /** API base URL override (simulators, proxies). */
  baseUrl?: string | undefined;
  /** Token URL override. */
  tokenUrl?: string | undefined;
  /** Last known health. */
  healthStatus?: ApiAccountHealthStatus | undefined;
  /** When `healthStatus` last changed. */
  healthChangedAt?: IsoDateTime | undefined;
  /** The last error seen with this account. */
  lastError?: { code: string; message: string; at: IsoDateTime } | undefined;
  /** Set by the store. */
  createdAt: IsoDateTime;
  /** Set by the store. */
  updatedAt: IsoDateTime;
}

/** A shallow patch of an {@link ApiAccountRecord}; `null` removes a field. */
export type ApiAccountPatch = {
  [K in Exclude<keyof ApiAccountRecord, 'accountId' | 'createdAt' | 'updatedAt'>]?:
    | Exclude<ApiAccountRecord[K], undefined>
    | null
    | undefined;
};

/** Filter and paging of {@link ApiAccountStore.listApiAccounts}. */
export interface ApiAccountQuery extends PageQuery {
  /** Only this customer's accounts. */
  customerId?: string | undefined;
  /** Only this site's accounts. */
  siteId?: string | undefined;
}

/** How an ADE token is linked to its MDM server record in the Business API. */
export interface ServerLinkRecord {
  /** The ADE token. */
  tokenId: string;
  /** The API account used to find the server. */
  accountId: string;
  /** The REST `mdmServers` id. */
  serverId: string;
  /** The server's name when linked. */
  serverName: string | null;
  /** `server_uuid` (ADE `/account`, dashes removed, upper case, equal to the REST id) or `name` (fallback). */
  matchedBy: 'server_uuid' | 'name';
  /** When the link was made. */
  linkedAt: IsoDateTime;
}

/** Storage of API accounts and token → server links, beside the tokens of an abmkit storage. */
export interface ApiAccountStore {
  /** Creates or shallow-patches an account. A new account needs `clientId`, `keyId` and `privateKeyPem`. */
  saveApiAccount(accountId: string, patch: ApiAccountPatch): Promise<ApiAccountRecord>;
  /** The account (secret decrypted), or `null`. */
  getApiAccount(accountId: string): Promise<ApiAccountRecord | null>;
  /** Accounts by id, optionally of one customer/site. */
  listApiAccounts(query?: ApiAccountQuery): Promise<Page<ApiAccountRecord>>;
  /** Deletes an account; returns whether it existed. */
  deleteApiAccount(accountId: string): Promise<boolean>;
  /** Stores (replaces) the link of a token to its server. */
  saveServerLink(link: ServerLinkRecord): Promise<void>;
  /** The token's link, or `null`. */
  getServerLink(tokenId: string): Promise<ServerLinkRecord | null>;
  /** Forgets the token's link. */
  deleteServerLink(tokenId: string): Promise<boolean>;
  /** Re-seals private keys under the active encryption key (after a key rotation). */
  reencryptSecrets?(): Promise<{ reencrypted: number; unchanged: number }>;
}
