export {
  type EncryptServerTokenOptions,
  encryptServerToken,
} from './encrypt-server-token.js';
export { type GenerateKeyPairOptions, generateKeyPair, type KeyPair } from './generate-key-pair.js';
export type { ServerToken, ServerTokenInput } from './server-token.js';
export type {
  ContentCipherName,
  KeyTransportName,
  LineEnding,
  OaepHashName,
  TokenFileFormat,
} from './types.js';
