/**
 * abmkit: Apple Business Manager and Automated Device Enrollment (ADE/DEP) for Node.js.
 *
 * The root entry is what an embedder needs and no optional driver: token crypto
 * (`decryptServerToken`, `generateKeyPair`, `tokenHealth`), `AbmClient`, profiles, storage
 * (memory and file, plus the `AbmStorage` contract), `AbmManager` and the error classes. The
 * rest sits behind explicit subpaths:
 *
 * - `abmkit/schemas`: the zod schemas behind the types (the root exports types only);
 * - `abmkit/storage/postgres`, `abmkit/storage/redis`: the adapters that need a driver;
 * - `abmkit/api`: the Apple Business Manager REST API (`AbmApiClient`);
 * - `abmkit/enrollment`: the enrollment endpoint kit (`parseMachineInfo`);
 * - `abmkit/admin`: the admin HTTP handler and doctor;
 * - `abmkit/testing`: the ADE simulator, `encryptServerToken`, the storage conformance suite and
 *   fault injection.
 *
 * @packageDocumentation
 */
export * from './auth/index.js';
export * from './client/index.js';
export * from './crypto/index.js';
export * from './errors/index.js';
export { type AbmLogger, type LogFn, silentLogger } from './internal/logger.js';
export * from './manager/index.js';
export * from './pagination/index.js';
export * from './profiles/index.js';
export * from './resources/index.js';
export {
  ADE_DEVICE_OS_VALUES,
  type AdeDevice,
  type AdeDeviceOs,
  DEVICE_FAMILIES,
  DEVICE_RESPONSE_STATUSES,
  type DeviceFamily,
  type DeviceResponseStatus,
  OP_TYPES,
  type OpType,
  PROFILE_STATUSES,
  type ProfileStatus,
} from './schemas/device.js';
export type { OpenUnion } from './schemas/open-enum.js';
export * from './storage/index.js';
