/**
 * `abmkit/testing`: an ADE simulator for tests and demos, and the storage conformance suite.
 *
 * @packageDocumentation
 */
export * from './conformance/index.js';
export * from './simulator/index.js';
