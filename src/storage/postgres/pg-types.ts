/** A query result as `pg` returns it. */
export interface PgQueryResult {
  /** The rows. */
  rows: Record<string, unknown>[];
  /** Rows affected. */
  rowCount: number | null;
}

/** The subset of a `pg` client that PostgresStorage uses (a checked-out `PoolClient` fits). */
export interface PgClientLike {
  /** Runs a parameterised query. */
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  /** Returns the client to the pool (`true`/an error discards it). */
  release(destroy?: boolean | Error): void;
}

/** The subset of a `pg` `Pool` that PostgresStorage uses. Pass your `new pg.Pool(...)`. */
export interface PgPoolLike {
  /** Runs a query on any pooled connection. */
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  /** Checks out a client for a transaction. */
  connect(): Promise<PgClientLike>;
}
