export {
  ADE_DEVICE_OS_VALUES,
  type AdeDevice,
  type AdeDeviceOs,
  adeDeviceSchema,
  DEVICE_FAMILIES,
  DEVICE_RESPONSE_STATUSES,
  type DeviceFamily,
  type DeviceResponseStatus,
  OP_TYPES,
  type OpType,
  PROFILE_STATUSES,
  type ProfileStatus,
} from './device.js';
export type { OpenUnion } from './open-enum.js';
