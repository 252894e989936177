/**
 * `abmkit/storage/redis`: `RedisStorage`, backed by the embedder's `ioredis` client.
 *
 * The record and query types of the storage contract (`DeviceRecord`, `TokenPatch`, …),
 * `StorageBaseOptions` and the key providers are exported by the root entry, `abmkit`.
 *
 * @packageDocumentation
 */

// The contract RedisStorage implements, so its methods document themselves here.
export type * from '../contract.js';
export { RedisApiAccountStore } from './api-accounts.js';
export type { RedisClientLike } from './redis-client.js';
export { RedisStorage, type RedisStorageOptions } from './redis-storage.js';
