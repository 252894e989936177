export {
  createServerToken,
  type ServerTokenJSON,
  serverTokenFromJSON,
  serverTokenToJSON,
} from './create-server-token.js';
export { decryptServerToken } from './decrypt-server-token.js';
export { type GenerateKeyPairOptions, generateKeyPair, type KeyPair } from './generate-key-pair.js';
export type { ServerToken, ServerTokenInput } from './server-token.js';
export {
  type TokenExpiryStatus,
  type TokenHealth,
  type TokenHealthOptions,
  tokenHealth,
} from './token-health.js';
