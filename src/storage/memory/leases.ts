import { LeaseLostError } from '../../errors/index.js';
import type { LeasePersistence } from '../adapter.js';
import type { LeaseGrant } from '../types.js';
import type { LeaseRow } from './state.js';
import type { StateCore } from './state-core.js';

const grant = (tokenId: string, row: LeaseRow): LeaseGrant => ({
  tokenId,
  owner: row.owner as string,
  generation: row.generation,
  expiresAt: new Date(row.expiresAtMs).toISOString(),
});

/** Leases of the in-process adapters (they exclude callers of this process only). @internal */
export class StateLeases implements LeasePersistence {
  constructor(private readonly core: StateCore) {}

  acquire(tokenId: string, owner: string, ttlMs: number): Promise<LeaseGrant | null> {
    return this.core.write(() => {
      const now = this.core.nowMs();
      const cur = this.core.state.leases.get(tokenId);
      if (cur && cur.owner !== null && cur.owner !== owner && cur.expiresAtMs > now) {
        return [[], null];
      }
      const row = { owner, generation: (cur?.generation ?? 0) + 1, expiresAtMs: now + ttlMs };
      return [[{ op: 'lease', tokenId, value: row }], grant(tokenId, row)];
    });
  }

  renew(tokenId: string, owner: string, generation: number, ttlMs: number): Promise<LeaseGrant> {
    return this.core.write(() => {
      const now = this.core.nowMs();
      const cur = this.core.state.leases.get(tokenId);
      if (!cur || cur.owner !== owner || cur.generation !== generation || cur.expiresAtMs <= now) {
        throw new LeaseLostError(tokenId);
      }
      const row = { owner, generation, expiresAtMs: now + ttlMs };
      return [[{ op: 'lease', tokenId, value: row }], grant(tokenId, row)];
    });
  }

  release(tokenId: string, owner: string, generation: number): Promise<boolean> {
    return this.core.write(() => {
      const cur = this.core.state.leases.get(tokenId);
      if (!cur || cur.owner !== owner || cur.generation !== generation) return [[], false];
      const value = { owner: null, generation, expiresAtMs: 0 };
      return [[{ op: 'lease', tokenId, value }], true];
    });
  }

  get(tokenId: string): Promise<LeaseGrant | null> {
    return this.core.read((s) => {
      const cur = s.leases.get(tokenId);
      if (!cur || cur.owner === null || cur.expiresAtMs <= this.core.nowMs()) return null;
      return grant(tokenId, cur);
    });
  }
}
