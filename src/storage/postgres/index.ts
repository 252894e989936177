/**
 * `abmkit/storage/postgres`: `PostgresStorage`, backed by the embedder's `pg` Pool.
 *
 * @packageDocumentation
 */
export type { PgClientLike, PgPoolLike, PgQueryResult } from './pg-types.js';
export { PostgresStorage, type PostgresStorageOptions } from './postgres-storage.js';
