import type { AbmLogger } from '../internal/logger.js';
import type { AbmStorage, SessionRecord, TokenRecord } from '../storage/types.js';
import type { SyncApi } from './client-port.js';
import type { EventHub } from './events.js';
import type { KnownPolicies } from './known-policies.js';
import type { KnownTokens } from './known-tokens.js';
import type { Telemetry } from './telemetry.js';

/** The manager's options with every default applied. @internal */
export interface ResolvedConfig {
  baseUrl: string | undefined;
  syncIntervalMs: number;
  renewWithinDays: number;
  concurrency: number;
  leaseTtlMs: number;
  pageSize: number;
  jitter: number;
  staggerMs: number;
  assignmentCooldownMs: number;
  throttleFallbackMs: number;
  unhealthyProbeIntervalMs: number;
  fullReconcileIntervalMs: number;
  keepSyncRuns: number;
}

/** What the manager's parts share. @internal */
export interface ManagerContext {
  readonly storage: AbmStorage;
  readonly events: EventHub;
  readonly logger: AbmLogger;
  readonly owner: string;
  readonly config: ResolvedConfig;
  readonly telemetry: Telemetry;
  /** The manager's clock (token expiry). */
  now(): Date;
  /**
   * The API client of a token with credentials; `session`, when given, is the token's stored
   * session as a run's start just read it (the client then does not read it again).
   */
  api(token: TokenRecord, session?: SessionRecord | null): SyncApi;
  /** Each token as this manager's last run of it ended. */
  readonly known: KnownTokens;
  /** The policies this manager's runs compiled, by token. */
  readonly policies: KnownPolicies;
}
