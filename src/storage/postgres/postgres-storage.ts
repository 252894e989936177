import { InvalidArgumentError } from '../../errors/index.js';
import type { StorageAdapter } from '../adapter.js';
import { StorageBase, type StorageBaseOptions } from '../storage-base.js';
import { PostgresApiAccountStore, PostgresApiDocuments } from './api-accounts.js';
import { PostgresCursorPages } from './cursor-pages.js';
import { PostgresDevices } from './devices.js';
import { PostgresLeases } from './leases.js';
import { migrate } from './migrations.js';
import type { PgPoolLike } from './pg-types.js';
import { PostgresPolicies } from './policy.js';
import { PgDb } from './query.js';
import { PostgresRetries } from './retries.js';
import { PostgresRuns } from './runs.js';
import { PostgresSessions } from './sessions.js';
import { PostgresTokens } from './tokens.js';

/** Options of {@link PostgresStorage}. */
export interface PostgresStorageOptions extends StorageBaseOptions {
  /** Your `pg` Pool (PostgresStorage never creates or closes connections). */
  pool: PgPoolLike;
  /** The schema to keep abmkit's tables in (default `abmkit`); created by `migrate()`. */
  schema?: string | undefined;
  /**
   * Run parameterised statements as prepared statements (named, parsed and planned once per
   * connection): less to send and to plan on every call. Turn it off behind a pooler that
   * cannot keep prepared statements, such as PgBouncer before 1.21 in transaction mode.
   * @default true
   */
  preparedStatements?: boolean | undefined;
}

/** The PostgreSQL stores, one per concern, over one {@link PgDb}. @internal */
export interface PostgresAdapter extends StorageAdapter {
  /** The pool, schema and helpers every store shares. */
  readonly db: PgDb;
}

/** The stores over `db`. @internal */
export function postgresAdapter(db: PgDb): PostgresAdapter {
  return {
    db,
    capabilities: Object.freeze({
      crossProcessLeases: true,
      atomicPageApply: true,
      ttl: false,
      persistent: true,
    }),
    tokens: new PostgresTokens(db),
    sessions: new PostgresSessions(db),
    leases: new PostgresLeases(db),
    cursors: new PostgresCursorPages(db),
    devices: new PostgresDevices(db),
    retries: new PostgresRetries(db),
    runs: new PostgresRuns(db),
    policies: new PostgresPolicies(db),
    apiAccounts: new PostgresApiDocuments(db.pool, db.schema),
    now: () => db.now(),
    // PostgresStorage holds no connections of its own; the pool is the embedder's to end.
    close: async () => {},
  };
}

/** The stores over the pool and schema of `options`, once both are checked. */
function openAdapter(options: PostgresStorageOptions): PostgresAdapter {
  const pool = options?.pool as PgPoolLike | undefined;
  if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new InvalidArgumentError(
      'PostgresStorage needs `pool`: a `pg` Pool (npm install pg; new pg.Pool({ connectionString })).',
    );
  }
  const schema = options.schema ?? 'abmkit';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new InvalidArgumentError(
      `Schema name "${schema}" is not allowed; use letters, digits and underscores (max 63).`,
    );
  }
  const prepared = options.preparedStatements ?? true;
  if (typeof prepared !== 'boolean') {
    throw new InvalidArgumentError(
      'PostgresStorage option `preparedStatements` must be a boolean.',
    );
  }
  return postgresAdapter(new PgDb(pool, schema, prepared));
}

/**
 * PostgreSQL storage over the embedder's `pg` Pool, for one or many replicas.
 *
 * - Run `await storage.migrate()` once at startup: versioned migrations in
 *   `<schema>.abmkit_migrations`; nothing happens at import or construction.
 * - A page of devices is one `INSERT … ON CONFLICT … WHERE <op_date guard>` statement, in the same
 *   transaction as the lease check (`FOR SHARE`, so a take-over waits) and the cursor
 *   compare-and-set: all or nothing.
 * - Leases live in a table and use the database clock; no session advisory locks (PgBouncer safe).
 */
export class PostgresStorage extends StorageBase {
  /** Business API accounts and token → server links (table `api_documents`). */
  declare readonly apiAccounts: PostgresApiAccountStore;
  /** The PostgreSQL stores. @internal */
  declare protected readonly adapter: PostgresAdapter;

  constructor(options: PostgresStorageOptions) {
    super(openAdapter(options), options);
    const { db, apiAccounts } = this.adapter;
    Object.defineProperty(this, 'apiAccounts', {
      value: new PostgresApiAccountStore(
        db.pool,
        db.schema,
        this.secrets,
        options.clock,
        apiAccounts,
      ),
      enumerable: true,
    });
  }

  /** The schema holding abmkit's tables. */
  get schema(): string {
    return this.adapter.db.schema;
  }

  /**
   * Creates the schema and applies pending migrations in one transaction (serialised between
   * replicas by a transaction-scoped advisory lock). Safe to call on every start.
   * Returns the versions applied now.
   */
  migrate(): Promise<number[]> {
    return migrate(this.adapter.db);
  }
}
