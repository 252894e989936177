export { CompiledProfilePolicy, compilePolicy } from './compile-policy.js';
export type { SerialCsvInput } from './csv-input.js';
export {
  DEVICE_OS_KEYS,
  DEVICE_OS_LABELS,
  type DeviceOs,
  type DeviceOsFields,
  deviceOs,
} from './device-os.js';
export { type ParseSerialCsvOptions, parseSerialCsv } from './parse-serial-csv.js';
export {
  type AssignmentBatch,
  type AssignmentPlan,
  MAX_ASSIGN_BATCH,
  type PlanAssignmentsOptions,
  planAssignments,
  type SkippedDevice,
  type UnassignedDevice,
} from './plan-assignments.js';
export type {
  AssignedResolution,
  OsDefaults,
  ProfileDevice,
  ProfilePolicy,
  ProfilePolicyGroup,
  ProfileResolution,
  ResolutionSource,
  UnassignedResolution,
} from './policy-types.js';
export {
  type ProfilePresetKind,
  type ProfilePresetOptions,
  profilePreset,
  type SkipSelection,
} from './profile-preset.js';
export {
  type AdeProfile,
  type AdeProfileInput,
  type AdeProfileResponse,
  PROFILE_LIMITS,
  validateProfile,
} from './profile-schema.js';
export { resolveProfile, resolveProfiles } from './resolve-profile.js';
export { isValidSerial, normaliseSerial, normalizeSerial, SERIAL_LENGTH } from './serial.js';
export type {
  SerialCsvDuplicate,
  SerialCsvInvalidRow,
  SerialCsvResult,
  SerialCsvRow,
} from './serial-csv-collector.js';
export {
  MINIMAL_SKIP_SETUP_ITEMS,
  SKIP_SETUP_ITEMS,
  type SkipSetupItem,
  type SkipSetupItemKey,
} from './skip-setup-items.js';
