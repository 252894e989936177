/**
 * Storage: the {@link AbmStorage} interface and the adapters that need no driver
 * (`MemoryStorage`, `FileStorage`), plus the secrets-at-rest layer. PostgreSQL and Redis
 * adapters live at `abmkit/storage/postgres` and `abmkit/storage/redis`.
 *
 * @module
 */
export type * from './types.js';
