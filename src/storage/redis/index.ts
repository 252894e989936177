/**
 * `abmkit/storage/redis`: `RedisStorage`, backed by the embedder's `ioredis` client.
 *
 * @packageDocumentation
 */
export {};
