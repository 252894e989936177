/**
 * The contract interfaces every storage class implements, re-exported by each adapter's entry
 * point (`abmkit/storage/postgres`, `abmkit/storage/redis`) so that its methods carry their
 * documentation there. The same declarations as the root entry's.
 *
 * @module
 */
export type {
  AbmStorage,
  AssignmentStore,
  CursorStore,
  DeviceStore,
  LeaseStore,
  PolicyStore,
  SecretMaintenance,
  SessionStore,
  SyncRunStore,
  TokenStore,
} from './types.js';
