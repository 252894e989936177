export {
  createKeyring,
  type EncryptionKeyOption,
  type KeyProvider,
  type KeyringOptions,
  type KeyWrapContext,
  type WrappedKey,
} from './key-provider.js';
export { SecretBox, type SecretBoxOptions } from './secret-box.js';
