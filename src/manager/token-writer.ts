import type { TokenPatch, TokenRecord } from '../storage/types.js';
import type { ManagerContext } from './context.js';

/**
 * Writes a patch to the token a run started with; resolves `null` (and writes nothing) when the
 * token was deleted or its credentials replaced since. @internal
 */
export type TokenWrite = (patch: TokenPatch) => Promise<TokenRecord | null>;

/**
 * A {@link TokenWrite} tied to `token`'s credentials version (`credentialsId`, set by each
 * upload): a run that started with the old credentials can neither resurrect a deleted token nor
 * write its health, account or sync state onto a renewed one. Uses the store's atomic
 * `updateToken` when it has one, otherwise reads and compares first.
 * @internal
 */
export function tokenWriter(ctx: ManagerContext, token: TokenRecord): TokenWrite {
  const expect = { credentialsId: token.credentialsId ?? null };
  const storage = ctx.storage;
  return async (patch) => {
    if (typeof storage.updateToken === 'function') {
      return storage.updateToken(token.tokenId, patch, expect);
    }
    const current = await storage.getToken(token.tokenId);
    if (current === null || (current.credentialsId ?? null) !== expect.credentialsId) return null;
    return storage.saveToken(token.tokenId, patch);
  };
}
