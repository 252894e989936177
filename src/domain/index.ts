/**
 * The domain rules of abmkit's storage and sync engine, in one place: serial and argument
 * checks, the page collapse and per-device merge (`op_date` wins), status derivation and
 * assignment-result planning. Imported by the storage front (`StorageBase`) and by the
 * manager; adapters persist what these rules decide.
 *
 * @internal
 * @module
 */
export * from './assignments.js';
export * from './devices.js';
export * from './json.js';
export * from './pages.js';
export * from './paging.js';
export * from './retries.js';
export * from './tokens.js';
export * from './validate.js';
