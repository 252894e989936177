import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretDecryptError } from '../../../src/errors/index.js';
import { createKeyring, type KeyProvider, SecretBox } from '../../../src/storage/secrets/index.js';

/** A keyring that counts its unwraps. */
function countingKeyring(): { provider: KeyProvider; unwraps: () => number } {
  const inner = createKeyring({ activeKeyId: 'k1', keys: { k1: randomBytes(32) } });
  let n = 0;
  return {
    provider: {
      activeKeyId: inner.activeKeyId,
      wrapKey: (key, ctx) => inner.wrapKey(key, ctx),
      unwrapKey: (wrapped, keyId, ctx) => {
        n++;
        return inner.unwrapKey(wrapped, keyId, ctx);
      },
    },
    unwraps: () => n,
  };
}

describe('SecretBox', () => {
  it('opens a value it sealed or opened before without unwrapping its data key again', async () => {
    const { provider, unwraps } = countingKeyring();
    const writer = new SecretBox({ encryptionKey: provider });
    const sealed = await writer.seal('canary-secret-1', 'token|t|credentials.accessSecret');
    expect(await writer.open(sealed, 'token|t|credentials.accessSecret')).toBe('canary-secret-1');
    expect(unwraps()).toBe(0);
    const reader = new SecretBox({ encryptionKey: provider });
    for (let i = 0; i < 3; i++) {
      expect(await reader.open(sealed, 'token|t|credentials.accessSecret')).toBe('canary-secret-1');
    }
    expect(unwraps()).toBe(1);
    expect(inspect(reader, { showHidden: true, depth: 5 })).not.toContain('canary-secret-1');
  });

  it('still refuses a value moved to another field or tampered with, after opening it once', async () => {
    const box = new SecretBox({ encryptionKey: randomBytes(32) });
    const sealed = await box.seal('canary-secret-2', 'token|t|credentials.accessToken');
    expect(await box.open(sealed, 'token|t|credentials.accessToken')).toBe('canary-secret-2');
    await expect(box.open(sealed, 'token|u|credentials.accessToken')).rejects.toBeInstanceOf(
      SecretDecryptError,
    );
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`;
    await expect(box.open(tampered, 'token|t|credentials.accessToken')).rejects.toBeInstanceOf(
      SecretDecryptError,
    );
  });
});
