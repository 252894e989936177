/**
 * `abmkit/storage/postgres`: `PostgresStorage`, backed by the embedder's `pg` Pool.
 *
 * The records and options of the storage contract (`TokenRecord`, `DeviceRecord`,
 * `encryptionKey`, …) are exported by the root entry, `abmkit`.
 *
 * @packageDocumentation
 */

// The contract interfaces PostgresStorage implements, so that its methods carry their docs here.
export type * from '../contract.js';
export { PostgresApiAccountStore } from './api-accounts.js';
export type { PgClientLike, PgPoolLike, PgQueryConfig, PgQueryResult } from './pg-types.js';
export { PostgresStorage, type PostgresStorageOptions } from './postgres-storage.js';
