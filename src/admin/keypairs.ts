import type { AbmManager } from '../manager/abm-manager.js';
import type { AbmStorage } from '../storage/types.js';
import { HttpError } from './http.js';

/** Step 1 of the token wizard. @internal */
export interface WizardKeyPairInput {
  tokenId: string;
  customerId?: string | undefined;
  siteId?: string | undefined;
  name?: string | undefined;
  renew?: boolean | undefined;
}

/**
 * The token wizard's key pairs, idempotent: a reload of the wizard gets the pending certificate
 * back instead of a new pair (which would break the one the admin already uploaded to ABM).
 * Reads the certificate from the store when the handler has one, else from this process's memory.
 * @internal
 */
export class WizardKeyPairs {
  readonly #issued = new Map<string, string>();

  constructor(
    private readonly manager: AbmManager,
    private readonly storage: AbmStorage | undefined,
  ) {}

  /** The certificate of the token's pending pair, else of its current pair, else `null`. */
  async certificate(tokenId: string): Promise<string | null> {
    if (this.storage !== undefined) {
      const token = await this.storage.getToken(tokenId);
      if (token !== null) {
        return token.pendingKeyPair?.certificatePem ?? token.currentKeyPair?.certificatePem ?? null;
      }
      return null;
    }
    return this.#issued.get(tokenId) ?? null;
  }

  /** Returns the pending pair's certificate, or makes a pair when there is none. */
  async ensure(input: WizardKeyPairInput): Promise<{ created: boolean; certificatePem: string }> {
    const existing = await this.manager.listTokens();
    const token = existing.find((t) => t.tokenId === input.tokenId);
    if (token !== undefined) {
      const health = await this.manager.health(input.tokenId);
      if (health.pendingKeyPair) {
        const pem = await this.certificate(input.tokenId);
        if (pem !== null) return { created: false, certificatePem: pem };
      } else if (health.status !== 'pending' && input.renew !== true) {
        throw new HttpError(
          409,
          'TOKEN_EXISTS',
          `Token "${input.tokenId}" already has a server token; send "renew": true to start a renewal (a new key pair), or choose another token id.`,
        );
      }
    }
    const certificatePem = await this.manager.createKeyPair(input.tokenId, {
      customerId: input.customerId,
      siteId: input.siteId,
      name: input.name,
    });
    this.#issued.set(input.tokenId, certificatePem);
    return { created: true, certificatePem };
  }
}
