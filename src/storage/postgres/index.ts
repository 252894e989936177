/**
 * `abmkit/storage/postgres`: `PostgresStorage`, backed by the embedder's `pg` Pool.
 *
 * @packageDocumentation
 */
export {};
