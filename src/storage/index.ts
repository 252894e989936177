/**
 * Storage: the {@link AbmStorage} interface and the adapters that need no driver
 * (`MemoryStorage`, `FileStorage`), plus the secrets-at-rest layer. PostgreSQL and Redis
 * adapters live at `abmkit/storage/postgres` and `abmkit/storage/redis`.
 *
 * @module
 */
export type * from './adapter.js';
export { ApiAccountStoreBase } from './api-accounts/api-account-store-base.js';
export { ApiAccounts } from './api-accounts/api-accounts.js';
export type {
  ApiAccountHealthStatus,
  ApiAccountPatch,
  ApiAccountQuery,
  ApiAccountRecord,
  ApiAccountStore,
  ServerLinkRecord,
} from './api-accounts/types.js';
export { FileApiAccountStore } from './file/api-accounts.js';
export { FileStorage, type FileStorageOptions } from './file/file-storage.js';
export { MemoryApiAccountStore } from './memory/api-accounts.js';
export { MemoryStorage, type MemoryStorageOptions } from './memory/memory-storage.js';
export * from './secrets/index.js';
export { StorageBase, type StorageBaseOptions, unreadableSecrets } from './storage-base.js';
export type * from './types.js';
