import type { PolicyPersistence } from '../adapter.js';
import type { PolicyRecord } from '../types.js';
import { clone, type StateCore } from './state-core.js';

/** Policies of the in-process adapters. @internal */
export class StatePolicies implements PolicyPersistence {
  constructor(private readonly core: StateCore) {}

  get(tokenId: string): Promise<PolicyRecord | null> {
    return this.core.read((s) => {
      const p = s.policies.get(tokenId);
      return p === undefined ? null : clone(p);
    });
  }

  set(tokenId: string, policy: unknown): Promise<PolicyRecord> {
    return this.core.write(() => {
      const value: PolicyRecord = {
        tokenId,
        policy,
        revision: (this.core.state.policies.get(tokenId)?.revision ?? 0) + 1,
        updatedAt: this.core.nowIso(),
      };
      return [[{ op: 'policy', value }], clone(value)];
    });
  }
}
