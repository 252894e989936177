export {
  type AccountDrivenEnrollmentProfile,
  accountDrivenEnrollmentProfileSchema,
} from './account-driven-enrollment.js';
export {
  ACTIVATION_LOCK_STATUSES,
  type ActivationLockInput,
  type ActivationLockResponse,
  type ActivationLockStatus,
  activationLockResponseSchema,
} from './activation-lock.js';
export {
  type AssignProfileResponse,
  type AssignProfileResult,
  assignProfileResponseSchema,
} from './assign-profile.js';
export {
  type DefineProfileResponse,
  type DefineProfileResult,
  defineProfileResponseSchema,
} from './define-profile.js';
export {
  DEFAULT_DEVICE_PAGE_LIMIT,
  type DeviceListRequest,
  type DeviceListResponse,
  deviceListResponseSchema,
  MAX_DEVICE_PAGE_LIMIT,
} from './device-list.js';
export {
  type DisownDevicesResponse,
  disownDevicesResponseSchema,
} from './disown-devices.js';
export {
  type AccountDetail,
  accountDetailSchema,
  accountUrlSchema,
} from './get-account.js';
export {
  type BetaEnrollmentToken,
  type BetaEnrollmentTokensResponse,
  betaEnrollmentTokenSchema,
  betaEnrollmentTokensResponseSchema,
} from './get-beta-enrollment-tokens.js';
export {
  type DeviceDetailsResponse,
  type DeviceDetailsResult,
  deviceDetailsResponseSchema,
} from './get-device-details.js';
export {
  type ReplacementDetails,
  replacementDetailsSchema,
} from './get-replacement-details.js';
export type { HttpMethod, Operation } from './operation.js';
export {
  type RemoveProfileResponse,
  removeProfileResponseSchema,
} from './remove-profile.js';
export {
  ASSIGN_STATUSES,
  type AssignStatus,
  SERIAL_STATUSES,
  type SerialResults,
  type SerialStatus,
} from './serial-results.js';
