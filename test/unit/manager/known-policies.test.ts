import { describe, expect, it } from 'vitest';
import { KnownPolicies } from '../../../src/manager/known-policies.js';
import type { PolicyRecord } from '../../../src/storage/types.js';

const UUID = 'ABCDEF0123456789ABCDEF0123456789';

/** A stored policy naming `serials` serials. */
function record(tokenId: string, revision: number, serials: number): PolicyRecord {
  const devices: Record<string, string> = {};
  for (let i = 0; i < serials; i++) devices[`SER${String(i).padStart(8, '0')}`] = UUID;
  return {
    tokenId,
    policy: { osDefaults: { ios: UUID }, devices },
    revision,
    updatedAt: `2026-01-01T00:00:0${revision}.000Z`,
  };
}

describe('KnownPolicies', () => {
  it("plans with the policy it compiled when the store answers 'unchanged', and compiles a new one", () => {
    const known = new KnownPolicies();
    const first = known.plan('t', record('t', 1, 3), undefined);
    expect(first?.revision).toBe(1);
    expect(first?.compiled).not.toBeNull();
    const held = known.get('t');
    expect(held).toMatchObject({ revision: 1, updatedAt: '2026-01-01T00:00:01.000Z' });
    expect(known.plan('t', 'unchanged', held)).toBe(first);
    // The same record again (a store that always sends it): not compiled again.
    expect(known.plan('t', record('t', 1, 3), held)).toBe(first);
    const second = known.plan('t', record('t', 2, 3), held);
    expect(second).not.toBe(first);
    expect(second?.revision).toBe(2);
    // No policy any more: nothing to plan with, nothing kept.
    expect(known.plan('t', null, known.get('t'))).toEqual({
      compiled: null,
      revision: 0,
      source: null,
    });
    expect(known.get('t')).toBeUndefined();
    // 'unchanged' about a policy the caller did not hold: the caller must read it.
    expect(known.plan('t', 'unchanged', undefined)).toBeUndefined();
  });

  it('keeps at most its budget of entries, dropping the least recently used policies first', () => {
    // The manager's budget is 250,000 entries; 25 here (each policy: its serials, its OS
    // defaults and one).
    const known = new KnownPolicies(25);
    known.plan('a', record('a', 1, 10), undefined);
    known.plan('b', record('b', 1, 10), undefined);
    known.get('a'); // used: 'b' is now the oldest
    known.plan('c', record('c', 1, 10), undefined);
    expect(known.get('b')).toBeUndefined();
    expect(known.get('a')).toBeDefined();
    expect(known.get('c')).toBeDefined();
    // A policy larger than the whole budget is planned with, not kept.
    expect(known.plan('d', record('d', 1, 30), undefined)?.revision).toBe(1);
    expect(known.get('d')).toBeUndefined();
    expect(known.get('a')).toBeDefined();
  });
});
