/**
 * Paging helpers, now in `src/domain/paging.ts`; re-exported here for adapters not yet moved.
 * @internal
 */
export * from '../../domain/paging.js';
