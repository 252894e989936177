import type { ApiAccountPersistence, StorageAdapter } from '../adapter.js';
import type { IsoDateTime, StorageCapabilities } from '../types.js';
import { StateCursors } from './cursors.js';
import { StateDevices } from './devices.js';
import { StateLeases } from './leases.js';
import { StatePolicies } from './policies.js';
import { StateRetries } from './retries.js';
import { StateRuns } from './runs.js';
import { StateSessions } from './sessions.js';
import type { StateCore } from './state-core.js';
import { StateTokens } from './tokens.js';

/**
 * The adapter of `MemoryStorage` and `FileStorage`: every store over one {@link StateCore}
 * (which `FileStorage` backs with its journal). @internal
 */
export class InProcessAdapter implements StorageAdapter {
  readonly tokens: StateTokens;
  readonly sessions: StateSessions;
  readonly leases: StateLeases;
  readonly cursors: StateCursors;
  readonly devices: StateDevices;
  readonly retries: StateRetries;
  readonly runs: StateRuns;
  readonly policies: StatePolicies;

  constructor(
    readonly core: StateCore,
    readonly capabilities: StorageCapabilities,
    readonly apiAccounts: ApiAccountPersistence,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.tokens = new StateTokens(core);
    this.sessions = new StateSessions(core);
    this.leases = new StateLeases(core);
    this.cursors = new StateCursors(core);
    this.devices = new StateDevices(core);
    this.retries = new StateRetries(core);
    this.runs = new StateRuns(core);
    this.policies = new StatePolicies(core);
  }

  async now(): Promise<IsoDateTime> {
    return this.core.nowIso();
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
