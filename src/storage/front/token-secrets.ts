import type { SecretBox } from '../secrets/secret-box.js';
import type { TokenPatch, TokenRecord } from '../types.js';

/**
 * The symbol under which `StorageBase.listTokens` marks a token whose secrets could not be
 * decrypted: `{ keyId, hint }`. Non-enumerable, so it never reaches JSON or storage.
 */
export const unreadableSecrets: unique symbol = Symbol.for('abmkit.unreadable');

/** The secret fields of a token record, with the path used in their associated data. */
export const KEY_PAIR_FIELDS = [
  'currentKeyPair',
  'pendingKeyPair',
  'previousPendingKeyPair',
] as const;
const CREDENTIAL_SECRETS = ['consumerSecret', 'accessToken', 'accessSecret'] as const;

/**
 * Seals and opens the secret fields of token records (key PEMs, OAuth secrets), each with its
 * own associated data `token|<tokenId>|<field path>`. @internal
 */
export class TokenSecrets {
  constructor(private readonly secrets: SecretBox) {}

  /** Seals the secret fields of a patch. */
  async seal(tokenId: string, patch: TokenPatch): Promise<TokenPatch> {
    const sealed: Record<string, unknown> = { ...patch };
    for (const field of KEY_PAIR_FIELDS) {
      const kp = patch[field];
      if (kp) {
        sealed[field] = {
          ...kp,
          privateKeyPem: await this.secrets.seal(
            kp.privateKeyPem,
            `token|${tokenId}|${field}.privateKeyPem`,
          ),
        };
      }
    }
    const creds = patch.credentials;
    if (creds) {
      const out: Record<string, unknown> = { ...creds };
      for (const f of CREDENTIAL_SECRETS) {
        out[f] = await this.secrets.seal(creds[f], `token|${tokenId}|credentials.${f}`);
      }
      Object.assign(sealed, { credentials: out });
    }
    return sealed as TokenPatch;
  }

  /** Decrypts the secret fields of a stored token. */
  async open(raw: TokenRecord): Promise<TokenRecord> {
    const out: TokenRecord = { ...raw };
    for (const field of KEY_PAIR_FIELDS) {
      const kp = raw[field];
      if (kp) {
        out[field] = {
          ...kp,
          privateKeyPem: await this.secrets.open(
            kp.privateKeyPem,
            `token|${raw.tokenId}|${field}.privateKeyPem`,
          ),
        };
      }
    }
    if (raw.credentials) {
      const c = { ...raw.credentials };
      for (const f of CREDENTIAL_SECRETS) {
        c[f] = await this.secrets.open(c[f], `token|${raw.tokenId}|credentials.${f}`);
      }
      out.credentials = c;
    }
    return out;
  }

  /** A token without its secret fields, marked with the key id that sealed them. */
  unreadable(raw: TokenRecord): TokenRecord {
    const { credentials, currentKeyPair, pendingKeyPair, previousPendingKeyPair, ...rest } = raw;
    void previousPendingKeyPair;
    const sealed =
      credentials?.accessToken ?? currentKeyPair?.privateKeyPem ?? pendingKeyPair?.privateKeyPem;
    const keyId = sealed === undefined ? null : this.secrets.keyIdOf(sealed);
    const active = this.secrets.activeKeyId;
    const hint = `The token's secrets were sealed with key ${keyId === null ? '(unknown id)' : `"${keyId}"`}, which this storage does not hold${active === null ? ' (it has no encryptionKey)' : ` (its active key is "${active}")`}. Pass that key to the storage: encryptionKey as a 32-byte Buffer (a key kept as hex text must be decoded: Buffer.from(hex, 'hex')), or a keyring (createKeyring) holding it.`;
    const out: TokenRecord = { ...rest };
    Object.defineProperty(out, unreadableSecrets, {
      value: Object.freeze({ keyId, hint }),
      enumerable: false,
    });
    return out;
  }

  /** Whether any sealed field of the stored token is not under the active key. */
  needsReencrypt(raw: TokenRecord): boolean {
    const sealed: string[] = [];
    if (raw.currentKeyPair) sealed.push(raw.currentKeyPair.privateKeyPem);
    if (raw.pendingKeyPair) sealed.push(raw.pendingKeyPair.privateKeyPem);
    if (raw.previousPendingKeyPair) sealed.push(raw.previousPendingKeyPair.privateKeyPem);
    if (raw.credentials) for (const f of CREDENTIAL_SECRETS) sealed.push(raw.credentials[f]);
    return sealed.some((s) => this.secrets.needsReencrypt(s));
  }
}
