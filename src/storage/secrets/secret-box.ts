import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { AbmError, SecretDecryptError, SecretKeyRequiredError } from '../../errors/index.js';
import { type EncryptionKeyOption, type KeyProvider, toKeyProvider } from './key-provider.js';

const ENC_PREFIX = 'abmkit:enc:v1:';
const PLAIN_PREFIX = 'abmkit:plain:';
/** Most values a {@link SecretBox} remembers (four per token: its key and OAuth secrets). */
const OPENED_MAX = 8192;

/** Options of {@link SecretBox}. */
export interface SecretBoxOptions {
  /** 32 bytes, or a {@link KeyProvider} (KMS, keyring with rotation). */
  encryptionKey?: EncryptionKeyOption | undefined;
  /**
   * Store secrets in plaintext when there is no key. Off by default: without a key, saving a
   * secret throws `SecretKeyRequiredError`. Only for tests and throwaway setups.
   */
  allowPlaintextSecrets?: boolean | undefined;
}

/**
 * Envelope encryption of secret strings, shared by every storage adapter.
 *
 * Each sealed value gets a fresh random 256-bit data key and a 12-byte nonce (AES-256-GCM); the
 * data key is wrapped by the {@link KeyProvider}. The sealed string carries a version, the key
 * id, the wrapped key, the nonce and ciphertext + tag; the associated data binds it to its record
 * and field (`kind|recordId|field`), so a ciphertext copied to another record or field fails to
 * open. The box itself never shows key material or plaintext when logged.
 */
export class SecretBox {
  readonly #provider: KeyProvider | undefined;
  readonly #allowPlaintext: boolean;
  /**
   * Values sealed or opened by this box, by associated data and sealed string (at most
   * {@link OPENED_MAX}, the oldest dropped first): a token read on every sync run does not unwrap
   * its data keys again. Private: never shown by `inspect`, never stored.
   */
  readonly #opened = new Map<string, string>();

  constructor(options: SecretBoxOptions = {}) {
    this.#provider =
      options.encryptionKey === undefined ? undefined : toKeyProvider(options.encryptionKey);
    this.#allowPlaintext = options.allowPlaintextSecrets === true;
  }

  /** Whether a key is configured. */
  get encrypts(): boolean {
    return this.#provider !== undefined;
  }

  /** The active key id, or `null` without a key. */
  get activeKeyId(): string | null {
    return this.#provider?.activeKeyId ?? null;
  }

  /**
   * Seals `plaintext` for the record field named by `aad`.
   * @throws SecretKeyRequiredError without a key (unless plaintext is explicitly allowed).
   */
  async seal(plaintext: string, aad: string): Promise<string> {
    const provider = this.#provider;
    if (provider === undefined) {
      if (this.#allowPlaintext) return PLAIN_PREFIX + plaintext;
      throw new SecretKeyRequiredError(
        'This store has no encryption key, so it refuses to save secrets. Pass `encryptionKey` (32 bytes or a KeyProvider) to the storage constructor, or `allowPlaintextSecrets: true` for throwaway setups.',
      );
    }
    const dataKey = randomBytes(32);
    try {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dataKey, nonce);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([
        cipher.update(plaintext, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      const { keyId, wrapped } = await provider.wrapKey(dataKey, { aad });
      const sealed =
        ENC_PREFIX +
        [
          Buffer.from(keyId, 'utf8').toString('base64url'),
          Buffer.from(wrapped).toString('base64url'),
          nonce.toString('base64url'),
          ct.toString('base64url'),
        ].join('.');
      this.#remember(aad, sealed, plaintext);
      return sealed;
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Opens a value sealed by {@link SecretBox.seal} for the same `aad`.
   * @throws SecretDecryptError on a wrong/unknown key, a tampered value or a moved ciphertext.
   */
  async open(sealed: string, aad: string): Promise<string> {
    if (sealed.startsWith(PLAIN_PREFIX)) return sealed.slice(PLAIN_PREFIX.length);
    if (!sealed.startsWith(ENC_PREFIX)) {
      throw new SecretDecryptError('A stored secret is not in a format abmkit recognises.');
    }
    const provider = this.#provider;
    if (provider === undefined) {
      throw new SecretDecryptError(
        'A stored secret is encrypted but this store has no encryption key; pass the `encryptionKey` it was saved with.',
      );
    }
    const known = this.#opened.get(`${aad}\u0000${sealed}`);
    if (known !== undefined) return known;
    const parts = sealed.slice(ENC_PREFIX.length).split('.');
    if (parts.length !== 4) throw new SecretDecryptError('A stored secret is malformed.');
    const [kid, wrapped, nonce, ct] = parts.map((p) => Buffer.from(p as string, 'base64url')) as [
      Buffer,
      Buffer,
      Buffer,
      Buffer,
    ];
    if (nonce.length !== 12 || ct.length < 16) {
      throw new SecretDecryptError('A stored secret is malformed.');
    }
    let dataKey: Uint8Array;
    try {
      dataKey = await provider.unwrapKey(wrapped, kid.toString('utf8'), { aad });
    } catch (err) {
      if (err instanceof AbmError) throw err;
      throw new SecretDecryptError(
        'A stored secret could not be decrypted: its data key did not unwrap (wrong or retired key, or tampered record).',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce);
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(ct.subarray(ct.length - 16));
      const plaintext = Buffer.concat([
        decipher.update(ct.subarray(0, ct.length - 16)),
        decipher.final(),
      ]).toString('utf8');
      this.#remember(aad, sealed, plaintext);
      return plaintext;
    } catch {
      throw new SecretDecryptError(
        'A stored secret failed authentication: it was tampered with or moved to another record or field.',
      );
    } finally {
      dataKey.fill(0);
    }
  }

  #remember(aad: string, sealed: string, plaintext: string): void {
    const opened = this.#opened;
    if (opened.size >= OPENED_MAX) {
      const oldest = opened.keys().next().value;
      if (oldest !== undefined) opened.delete(oldest);
    }
    opened.set(`${aad}\u0000${sealed}`, plaintext);
  }

  /** The id of the key a sealed value was sealed under, or `null` (plaintext, malformed). */
  keyIdOf(sealed: string): string | null {
    if (typeof sealed !== 'string' || !sealed.startsWith(ENC_PREFIX)) return null;
    const kid = sealed.slice(ENC_PREFIX.length).split('.', 1)[0] ?? '';
    const id = Buffer.from(kid, 'base64url').toString('utf8');
    return /^[\x20-\x7e]{1,128}$/.test(id) ? id : null;
  }

  /** Whether a sealed value is not under the active key (plaintext, or another key id). */
  needsReencrypt(sealed: string): boolean {
    const active = this.activeKeyId;
    if (active === null) return false;
    if (!sealed.startsWith(ENC_PREFIX)) return true;
    const kid = sealed.slice(ENC_PREFIX.length).split('.', 1)[0] ?? '';
    return Buffer.from(kid, 'base64url').toString('utf8') !== active;
  }

  /** @internal */
  toJSON(): Record<string, unknown> {
    return { encrypts: this.encrypts, activeKeyId: this.activeKeyId };
  }

  /** @internal */
  [inspect.custom](): string {
    return `SecretBox { encrypts: ${this.encrypts}, activeKeyId: ${JSON.stringify(this.activeKeyId)} }`;
  }
}
