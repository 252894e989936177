/**
 * `abmkit/storage/postgres`: `PostgresStorage`, backed by the embedder's `pg` Pool.
 *
 * @packageDocumentation
 */

// The storage contract, so this entry documents itself (same declarations as the root entry).
export type {
  EncryptionKeyOption,
  KeyProvider,
  KeyWrapContext,
  WrappedKey,
} from '../secrets/key-provider.js';
export type { SecretBox, SecretBoxOptions } from '../secrets/secret-box.js';
export type { StorageBase, StorageBaseOptions } from '../storage-base.js';
export type * from '../types.js';
export { PostgresApiAccountStore } from './api-accounts.js';
export type { PgClientLike, PgPoolLike, PgQueryResult } from './pg-types.js';
export { PostgresStorage, type PostgresStorageOptions } from './postgres-storage.js';
