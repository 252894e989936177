import type { TokenRecord } from '../storage/types.js';

/**
 * The token as this manager's last run of it ended (`endSyncRun`'s answer), so that the next run
 * starts without reading it: that run's `beginSyncRun` starts nothing when the stored token
 * changed since (`ifTokenUnchanged`: its `updatedAt` or `credentialsId`), and the run then reads
 * it and decides anew. A run whose health checks would skip the token also reads it first: an
 * admin may have fixed it meanwhile. State of one manager instance, never shared.
 * @internal
 */
export class KnownTokens {
  readonly #tokens = new Map<string, TokenRecord>();

  /** The token as the last run ended, if this manager ran it. */
  get(tokenId: string): TokenRecord | undefined {
    return this.#tokens.get(tokenId);
  }

  /** Keeps the token a run ended with (`null`: nothing known, e.g. the end was not written). */
  remember(tokenId: string, token: TokenRecord | null): void {
    if (token === null || token.tokenId !== tokenId) this.#tokens.delete(tokenId);
    else this.#tokens.set(tokenId, token);
  }

  /** Forgets the token (deleted, or seen changed). */
  forget(tokenId: string): void {
    this.#tokens.delete(tokenId);
  }
}
