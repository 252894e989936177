import { createHash } from 'node:crypto';

/**
 * Where a replica standing by for a token runs it, as a fraction of the interval after the
 * token's slot: late enough that the replica that runs the token has finished, early enough
 * (below one half) that a standby finding the token synced skips it as recently synced.
 * @internal
 */
export const STANDBY_FRACTION = 0.45;

/**
 * The widest replica window, as a fraction of the interval: it ends well before the standby
 * offset, so the replica that runs a token has finished when a standby comes (and beyond one
 * half, a later replica would find the earliest one's run more than half an interval old).
 * @internal
 */
export const MAX_WINDOW_FRACTION = 0.3;

/** A stable fraction in [0, 1) of the given strings (SHA-256, first 32 bits). @internal */
export function stableFraction(...parts: string[]): number {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest().readUInt32BE(0) / 2 ** 32;
}

/** What places one replica's runs of one token in the cycle. @internal */
export interface SlotInput {
  tokenId: string;
  /** This replica's seed (its owner name by default): its offsets differ from other replicas'. */
  seed: string;
  intervalMs: number;
  /** The replica window, a fraction of the interval (capped at {@link MAX_WINDOW_FRACTION}). */
  window: number;
  /** This replica stands by for the token (another replica held its lease). */
  standby: boolean;
}

/**
 * The phase (ms into the cycle, on the wall-clock grid of `intervalMs`) at which this replica
 * runs the token: the token's slot, the same on every replica (a hash of its id, so that tokens
 * spread over the cycle), plus this replica's own offset within the replica window (a hash of
 * the seed and the token id, so that each token has a different earliest replica), or the
 * standby offset.
 * @internal
 */
export function phaseMs(input: SlotInput): number {
  const slot = stableFraction(input.tokenId);
  const window = Math.min(Math.max(input.window, 0), MAX_WINDOW_FRACTION);
  const offset = input.standby
    ? STANDBY_FRACTION
    : stableFraction(input.seed, input.tokenId) * window;
  return ((slot + offset) % 1) * input.intervalMs;
}

/** The first instant at or after `from` (epoch ms) that falls on `phase` of the grid. @internal */
export function nextOnGrid(from: number, phase: number, intervalMs: number): number {
  const into = (((phase - from) % intervalMs) + intervalMs) % intervalMs;
  return from + into;
}
