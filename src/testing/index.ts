/**
 * `abmkit/testing`: an ADE simulator for tests and demos, `encryptServerToken` (ABM's side of
 * the token exchange, to make token files), the storage conformance suite and the storage
 * fault-injection hooks.
 *
 * @packageDocumentation
 */
export {
  type EncryptServerTokenOptions,
  encryptServerToken,
} from '../crypto/encrypt-server-token.js';
export type {
  ContentCipherName,
  KeyTransportName,
  LineEnding,
  OaepHashName,
  TokenFileFormat,
} from '../crypto/types.js';
export type { FaultInjection, FaultInjectionOptions } from '../storage/fault-injection.js';
export * from './conformance/index.js';
export * from './simulator/index.js';
