/** A query result as `pg` returns it. */
export interface PgQueryResult {
  /** The rows. */
  rows: Record<string, unknown>[];
  /** Rows affected. */
  rowCount: number | null;
}

/**
 * A query as a config object: with `name`, a prepared statement (parsed and planned once per
 * connection, then executed by name), as `pg` runs it.
 */
export interface PgQueryConfig {
  /** The prepared statement's name (unique per text). */
  name?: string;
  /** The SQL. */
  text: string;
  /** The parameters. */
  values?: unknown[];
}

/** The subset of a `pg` client that PostgresStorage uses (a checked-out `PoolClient` fits). */
export interface PgClientLike {
  /** Runs a parameterised query (a config object only where `preparedStatements` is on). */
  query(text: string | PgQueryConfig, values?: unknown[]): Promise<PgQueryResult>;
  /** Returns the client to the pool (`true`/an error discards it). */
  release(destroy?: boolean | Error): void;
}

/** The subset of a `pg` `Pool` that PostgresStorage uses. Pass your `new pg.Pool(...)`. */
export interface PgPoolLike {
  /** Runs a query on any pooled connection (a config object only where `preparedStatements` is on). */
  query(text: string | PgQueryConfig, values?: unknown[]): Promise<PgQueryResult>;
  /** Checks out a client for a transaction. */
  connect(): Promise<PgClientLike>;
}
