import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { InvalidArgumentError, SecretDecryptError } from '../../errors/index.js';

/** Where a data key is being wrapped or unwrapped: the record id and field (for KMS audit/context). */
export interface KeyWrapContext {
  /** `"<kind>|<recordId>|<field>"`, e.g. `token|acme-1|credentials.accessSecret`. */
  readonly aad: string;
}

/** A data key wrapped under a key-encryption key. */
export interface WrappedKey {
  /** The id of the key-encryption key used; stored on the record. */
  readonly keyId: string;
  /** The wrapped data key (opaque bytes). */
  readonly wrapped: Uint8Array;
}

/**
 * The key-encryption side of envelope encryption, so keys can live in a KMS and rotate.
 * abmkit generates a random 256-bit data key per secret, encrypts the secret with it
 * (AES-256-GCM) and asks the provider to wrap the data key; only wrapped keys are stored.
 *
 * Implement it over your KMS (`wrapKey` → KMS Encrypt with the active key, `unwrapKey` → KMS
 * Decrypt with `keyId`), or use {@link createKeyring} for local keys.
 */
export interface KeyProvider {
  /** The id new records are wrapped under. Records under other ids stay readable while `unwrapKey` accepts them. */
  readonly activeKeyId: string;
  /** Wraps a data key under the active key. */
  wrapKey(dataKey: Uint8Array, context: KeyWrapContext): Promise<WrappedKey>;
  /** Unwraps a data key wrapped under `keyId`. Throw if the key id is unknown or the bytes were tampered with. */
  unwrapKey(wrapped: Uint8Array, keyId: string, context: KeyWrapContext): Promise<Uint8Array>;
}

/** Options of {@link createKeyring}. */
export interface KeyringOptions {
  /** The key id that wraps new records. Must be a key of `keys`. */
  activeKeyId: string;
  /** Every key that may still decrypt records (active and retired), each 32 bytes, by id. */
  keys: Readonly<Record<string, Uint8Array>>;
}

/** What a storage adapter accepts as `encryptionKey`: 32 raw bytes or a {@link KeyProvider}. */
export type EncryptionKeyOption = Uint8Array | KeyProvider;

const KEY_ID_PATTERN = /^[A-Za-z0-9._:/-]{1,128}$/;

function checkKey(id: string, key: unknown): Uint8Array {
  if (!(key instanceof Uint8Array) || key.byteLength !== 32) {
    throw new InvalidArgumentError(
      `Encryption key "${id}" must be 32 bytes (a Uint8Array/Buffer), e.g. crypto.randomBytes(32).`,
    );
  }
  return Uint8Array.from(key);
}

/**
 * A local keyring {@link KeyProvider}: data keys are wrapped with AES-256-GCM under the active
 * key; retired keys still unwrap. Rotate by adding a new key, making it active, and calling
 * `storage.reencryptSecrets()`; drop the old key afterwards.
 *
 * The keys are held in a closure: the returned object shows no key material when logged.
 */
export function createKeyring(options: KeyringOptions): KeyProvider {
  if (
    options === null ||
    typeof options !== 'object' ||
    options.keys === null ||
    typeof options.keys !== 'object'
  ) {
    throw new InvalidArgumentError(
      'createKeyring needs { activeKeyId, keys: { [keyId]: 32-byte Buffer } }, e.g. { activeKeyId: "2025", keys: { "2025": crypto.randomBytes(32) } }.',
    );
  }
  const keys = new Map<string, Uint8Array>();
  for (const [id, key] of Object.entries(options.keys)) {
    if (!KEY_ID_PATTERN.test(id)) {
      throw new InvalidArgumentError(
        `Key id "${id}" is not allowed; use 1–128 characters of letters, digits and . _ : / -.`,
      );
    }
    keys.set(id, checkKey(id, key));
  }
  const activeKeyId = options.activeKeyId;
  if (!keys.has(activeKeyId)) {
    throw new InvalidArgumentError(
      `The active key id "${activeKeyId}" is not among the keyring's keys; add it to \`keys\`.`,
    );
  }
  return Object.freeze({
    activeKeyId,
    async wrapKey(dataKey: Uint8Array, context: KeyWrapContext): Promise<WrappedKey> {
      const kek = keys.get(activeKeyId) as Uint8Array;
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, nonce);
      cipher.setAAD(Buffer.from(`abmkit-dek|${activeKeyId}|${context.aad}`, 'utf8'));
      const ct = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
      return { keyId: activeKeyId, wrapped: Buffer.concat([nonce, ct]) };
    },
    async unwrapKey(
      wrapped: Uint8Array,
      keyId: string,
      context: KeyWrapContext,
    ): Promise<Uint8Array> {
      const kek = keys.get(keyId);
      if (kek === undefined) {
        throw new SecretDecryptError(
          `No key with id "${keyId}" is in the keyring; add the retired key to \`keys\` to read this record.`,
        );
      }
      if (wrapped.byteLength < 12 + 16)
        throw new SecretDecryptError('A wrapped data key is truncated.');
      const buf = Buffer.from(wrapped);
      const decipher = createDecipheriv('aes-256-gcm', kek, buf.subarray(0, 12));
      decipher.setAAD(Buffer.from(`abmkit-dek|${keyId}|${context.aad}`, 'utf8'));
      decipher.setAuthTag(buf.subarray(buf.length - 16));
      return Buffer.concat([decipher.update(buf.subarray(12, buf.length - 16)), decipher.final()]);
    },
  });
}

/**
 * The key id used for a bare 32-byte `encryptionKey`: derived from the key (a SHA-256 based
 * fingerprint), so that the same key always reads its records and a different key is detected.
 * @internal
 */
export function fingerprintKeyId(key: Uint8Array): string {
  const digest = createHash('sha256').update('abmkit-key-id\0').update(key).digest('base64url');
  return `k-${digest.slice(0, 16)}`;
}

/** Normalises an `encryptionKey` option into a provider. @internal */
export function toKeyProvider(option: EncryptionKeyOption): KeyProvider {
  if (option instanceof Uint8Array) {
    const key = checkKey('encryptionKey', option);
    const id = fingerprintKeyId(key);
    return createKeyring({ activeKeyId: id, keys: { [id]: key } });
  }
  if (
    option === null ||
    typeof option !== 'object' ||
    typeof option.activeKeyId !== 'string' ||
    typeof option.wrapKey !== 'function' ||
    typeof option.unwrapKey !== 'function'
  ) {
    throw new InvalidArgumentError(
      '`encryptionKey` must be 32 bytes or a KeyProvider ({ activeKeyId, wrapKey, unwrapKey }); see createKeyring().',
    );
  }
  return option;
}
