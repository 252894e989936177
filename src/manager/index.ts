/**
 * `AbmManager`: many ABM tokens, periodic device sync, automatic ADE profile assignment, token
 * health and renewal, and typed events, on top of any {@link AbmStorage}.
 *
 * @module
 */
export { AbmManager } from './abm-manager.js';
export type {
  ApiAccountHealthEvent,
  ApiAccountSummary,
  ListOrgDevicesOptions,
  ManagerAssignDevicesOptions,
  OrgDeviceElsewhere,
  SaveApiAccountInput,
} from './business-api.js';
export type { EnrollmentEventName, EnrollmentEventPayload } from './enrollment-events.js';
export type {
  AbmManagerEventName,
  AbmManagerEvents,
  AbmManagerListener,
  DeviceEvent,
  DeviceUnassignedEvent,
  LeaseEvent,
  ProfileEvent,
  SyncEndedEvent,
  SyncProgressEvent,
  SyncStartedEvent,
  TokenEvent,
} from './events.js';
export type { DeviceStatusChange } from './status-history.js';
export type {
  AbmManagerOptions,
  CreateKeyPairOptions,
  DeviceLookup,
  InvalidRecord,
  ListDevicesOptions,
  ListTokensOptions,
  ManagerTokenStatus,
  SyncNowOptions,
  SyncReport,
  SyncSkipReason,
  TokenAccountInfo,
  TokenHealthReport,
  TokenSummary,
  TokenSyncStatus,
  UnreadableSecrets,
  UploadServerTokenOptions,
} from './types.js';
