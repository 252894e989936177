/**
 * abmkit: Apple Business Manager and Automated Device Enrollment (ADE/DEP) for Node.js.
 *
 * The root entry exports everything that needs no optional driver: token crypto, OAuth1,
 * `AbmClient`, profiles, storage (memory and file), `AbmManager` and the error classes.
 * PostgreSQL and Redis storage live at `abmkit/storage/postgres` and `abmkit/storage/redis`;
 * the ADE simulator and the storage conformance suite at `abmkit/testing`.
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
export * from './schemas/index.js';
export * from './storage/index.js';
