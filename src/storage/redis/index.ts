/**
 * `abmkit/storage/redis`: `RedisStorage`, backed by the embedder's `ioredis` client.
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
export { RedisApiAccountStore } from './api-accounts.js';
export { type RedisClientLike, RedisStorage, type RedisStorageOptions } from './redis-storage.js';
