export { describeStorageConformance } from './describe-storage-conformance.js';
export type {
  ConformanceRunner,
  ConformanceTestFn,
  StorageConformanceOptions,
  StorageFactory,
  StorageFactoryContext,
  StorageHarness,
} from './types.js';
