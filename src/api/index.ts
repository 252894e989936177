/**
 * `abmkit/api`: the Apple Business Manager (and Apple School Manager) REST API — put devices on
 * an MDM server by serial, from a CSV, or by default product family.
 *
 * @packageDocumentation
 */
export { AbmApiClient } from './abm-api-client.js';
export type { CreateActivityInput, WaitForActivityOptions } from './activities.js';
export { DEFAULT_ACTIVITY_CHUNK } from './activities.js';
export { ASSERTION_AUDIENCE } from './assertion.js';
export type {
  AssignDevicesToServerOptions,
  AssignFailure,
  AssignSerialOutcome,
  AssignToServerCounts,
  AssignToServerReport,
  AssignToServerSummary,
  SerialSource,
} from './assign-to-server.js';
export type { ApiCallOptions } from './context.js';
export type { ApiFlavor } from './credentials.js';
export type { JsonApiResource, ResourceLinkage } from './json-api.js';
export type { CreateMdmServerInput, UpdateMdmServerInput } from './mdm-servers.js';
export {
  type AbmApiClientOptions,
  API_TOKEN_URL,
  BUSINESS_API_BASE_URL,
  SCHOOL_API_BASE_URL,
} from './options.js';
export type { ListOptions } from './paginate.js';
export {
  type AccessTokenCache,
  accessTokenCacheKey,
  type CachedAccessToken,
  MemoryAccessTokenCache,
  storageAccessTokenCache,
} from './token-cache.js';
export type {
  ActivityLog,
  ActivityLogEntry,
  AppleCareCoverage,
  MdmServer,
  OrgDevice,
  OrgDeviceActivity,
  OrgDeviceActivityStatus,
  OrgDeviceActivityType,
} from './types.js';
