/**
 * `abmkit/storage/redis`: `RedisStorage`, backed by the embedder's `ioredis` client.
 *
 * @packageDocumentation
 */
export { type RedisClientLike, RedisStorage, type RedisStorageOptions } from './redis-storage.js';
