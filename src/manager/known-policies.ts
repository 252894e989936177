import { compilePolicy } from '../profiles/compile-policy.js';
import type { ProfilePolicy } from '../profiles/policy-types.js';
import type { IsoDateTime, PolicyRecord } from '../storage/types.js';
import { canonicalPolicy } from './canonical-policy.js';
import type { PlanPolicy } from './plan-devices.js';

/** Most policy entries (serials, groups, OS defaults) kept compiled across the tokens. */
const MAX_ENTRIES = 250_000;

/** A token's compiled policy and which stored policy it is. */
export interface KnownPolicy {
  /** The stored policy's revision. */
  readonly revision: number;
  /** The stored policy's `updatedAt` (with the revision, it names one stored policy). */
  readonly updatedAt: IsoDateTime;
  /** The policy compiled, as a run plans with it. */
  readonly plan: PlanPolicy;
  /** Its size in entries (serials, groups, OS defaults, plus one). */
  readonly entries: number;
}

/**
 * The policies this manager's runs compiled, by token, so that a run whose token's policy did
 * not change neither reads nor compiles it again: the run's start names the known one
 * (`knownPolicy`) and the store answers `'unchanged'`. A policy that names thousands of serials
 * (a CSV import) is large, and before this every run, no-change runs included, read and compiled
 * it. At most {@link MAX_ENTRIES} entries are kept (least recently used go first; a larger
 * policy is not kept). State of one manager instance, never shared.
 * @internal
 */
export class KnownPolicies {
  /** In least-recently-used order. */
  readonly #policies = new Map<string, KnownPolicy>();
  readonly #maxEntries: number;
  #entries = 0;

  /** @param maxEntries - Most entries kept (default {@link MAX_ENTRIES}). */
  constructor(maxEntries = MAX_ENTRIES) {
    this.#maxEntries = maxEntries;
  }

  /** The token's known policy (marked as used), if any. */
  get(tokenId: string): KnownPolicy | undefined {
    const known = this.#policies.get(tokenId);
    if (known !== undefined) {
      this.#policies.delete(tokenId);
      this.#policies.set(tokenId, known);
    }
    return known;
  }

  /**
   * The policy to plan with from a run's start: `known` (what the start was asked about) when the
   * store answered `'unchanged'`, else the stored record compiled (and kept), or no policy.
   * `undefined` when the store answered `'unchanged'` about a policy the caller did not know.
   */
  plan(
    tokenId: string,
    answer: PolicyRecord | null | 'unchanged',
    known: KnownPolicy | undefined,
  ): PlanPolicy | undefined {
    if (answer === 'unchanged') return known?.plan;
    if (answer === null) {
      this.forget(tokenId);
      return { compiled: null, revision: 0, source: null };
    }
    if (known?.revision === answer.revision && known.updatedAt === answer.updatedAt) {
      return known.plan;
    }
    return this.#remember(tokenId, answer);
  }

  /** Compiles `record` and keeps it for the token. */
  #remember(tokenId: string, record: PolicyRecord): PlanPolicy {
    // Policies stored before profile UUIDs were canonicalised are read in canonical form.
    const source = canonicalPolicy(record.policy as ProfilePolicy);
    const plan: PlanPolicy = { compiled: compilePolicy(source), revision: record.revision, source };
    this.forget(tokenId);
    const entries = sizeOf(source);
    if (entries <= this.#maxEntries) {
      this.#policies.set(tokenId, {
        revision: record.revision,
        updatedAt: record.updatedAt,
        plan,
        entries,
      });
      this.#entries += entries;
      for (const [id, old] of this.#policies) {
        if (this.#entries <= this.#maxEntries) break;
        this.#policies.delete(id);
        this.#entries -= old.entries;
      }
    }
    return plan;
  }

  /** Forgets the token's policy (the token deleted, or its policy gone). */
  forget(tokenId: string): void {
    const known = this.#policies.get(tokenId);
    if (known === undefined) return;
    this.#policies.delete(tokenId);
    this.#entries -= known.entries;
  }
}

/** A policy's size in entries: serials, groups and OS defaults, plus one. */
function sizeOf(policy: ProfilePolicy): number {
  if (policy === null || typeof policy !== 'object') return 1;
  const count = (v: unknown): number =>
    Array.isArray(v) ? v.length : v !== null && typeof v === 'object' ? Object.keys(v).length : 0;
  return 1 + count(policy.devices) + count(policy.groups) + count(policy.osDefaults);
}
