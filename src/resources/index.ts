export type { AccountDrivenEnrollmentProfile } from './account-driven-enrollment.js';
export {
  ACTIVATION_LOCK_STATUSES,
  type ActivationLockInput,
  type ActivationLockResponse,
  type ActivationLockStatus,
} from './activation-lock.js';
export type {
  AssignProfileResponse,
  AssignProfileResult,
} from './assign-profile.js';
export type {
  DefineProfileResponse,
  DefineProfileResult,
} from './define-profile.js';
export {
  DEFAULT_DEVICE_PAGE_LIMIT,
  type DeviceListRequest,
  type DeviceListResponse,
  MAX_DEVICE_PAGE_LIMIT,
} from './device-list.js';
export type { DisownDevicesResponse } from './disown-devices.js';
export type { AccountDetail } from './get-account.js';
export type {
  BetaEnrollmentToken,
  BetaEnrollmentTokensResponse,
} from './get-beta-enrollment-tokens.js';
export type {
  DeviceDetailsResponse,
  DeviceDetailsResult,
} from './get-device-details.js';
export type { ReplacementDetails } from './get-replacement-details.js';
export type { RemoveProfileResponse } from './remove-profile.js';
export {
  ASSIGN_STATUSES,
  type AssignStatus,
  SERIAL_STATUSES,
  type SerialResults,
  type SerialStatus,
} from './serial-results.js';
