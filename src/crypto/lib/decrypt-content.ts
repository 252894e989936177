import {
  constants,
  createDecipheriv,
  type KeyObject,
  privateDecrypt,
  randomBytes,
} from 'node:crypto';
import type { ContentCipherSpec } from './algorithms.js';
import type { KeyTransRecipient } from './parse-enveloped-data.js';
import { unpadPkcs1v15 } from './rsa-unpad.js';

/**
 * Recovers the content-encryption key for one recipient. Never throws and never reveals why
 * it failed: on any failure (RSA error, bad padding, wrong key length) it returns a random key
 * of the right length, so decryption continues and fails at the content cipher (implicit rejection).
 * @internal
 */
export function recoverContentKey(
  key: KeyObject,
  recipient: KeyTransRecipient,
  cipher: ContentCipherSpec,
): Uint8Array {
  try {
    if (recipient.oaepHash === undefined) {
      const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, recipient.encryptedKey);
      const cek = unpadPkcs1v15(em, cipher.keyLength);
      em.fill(0);
      return cek;
    }
    const cek = privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: recipient.oaepHash },
      recipient.encryptedKey,
    );
    if (cek.byteLength === cipher.keyLength) return cek;
    cek.fill(0);
  } catch {
    // fall through to the random key: the caller must not learn which step failed
  }
  return randomBytes(cipher.keyLength);
}

/**
 * Decrypts CBC content with PKCS#7 padding. Returns `undefined` (never throws) when the key
 * or padding is wrong. @internal
 */
export function decryptContent(
  cipher: ContentCipherSpec,
  cek: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array | undefined {
  try {
    const decipher = createDecipheriv(cipher.name, cek, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}
