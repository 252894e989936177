import type { StorageAdapter } from '../adapter.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { ReencryptResult, TokenExpectation, TokenPatch, TokenRecord } from '../types.js';
import { KEY_PAIR_FIELDS, type TokenSecrets } from './token-secrets.js';

/**
 * Re-seals every token secret and session token not under the active key, token by token
 * with a compare-and-set, so that a token renewed meanwhile keeps its new secrets. @internal
 */
export async function reencryptStoredSecrets(
  adapter: StorageAdapter,
  secrets: SecretBox,
  tokens: TokenSecrets,
): Promise<ReencryptResult> {
  let reencrypted = 0;
  let unchanged = 0;
  let cursor: string | undefined;
  do {
    const page = await adapter.tokens.list({ cursor, limit: 500 });
    for (const raw of page.items) {
      if (tokens.needsReencrypt(raw)) {
        let current: TokenRecord | null = raw;
        for (let attempt = 0; current !== null && attempt < 5; attempt++) {
          if (!tokens.needsReencrypt(current)) break;
          const open = await tokens.open(current);
          const patch: TokenPatch = {};
          const expect: TokenExpectation = {};
          for (const f of ['credentials', ...KEY_PAIR_FIELDS] as const) {
            expect[f] = current[f] ?? null;
            if (open[f]) Object.assign(patch, { [f]: open[f] });
          }
          const sealed = await tokens.seal(raw.tokenId, patch);
          if ((await adapter.tokens.update(raw.tokenId, sealed, expect)) !== null) break;
          current = await adapter.tokens.get(raw.tokenId);
        }
        reencrypted++;
      } else {
        unchanged++;
      }
      const session = await adapter.sessions.get(raw.tokenId);
      if (session !== null) {
        if (secrets.needsReencrypt(session.sessionToken)) {
          const aad = `session|${raw.tokenId}|sessionToken`;
          const token = await secrets.open(session.sessionToken, aad);
          await adapter.sessions.put(raw.tokenId, {
            sessionToken: await secrets.seal(token, aad),
            expiresAt: session.expiresAt,
          });
          reencrypted++;
        } else {
          unchanged++;
        }
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { reencrypted, unchanged };
}
