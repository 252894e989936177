export {
  type AdeDevice,
  adeDeviceSchema,
  DEVICE_FAMILIES,
  DEVICE_OS_VALUES,
  DEVICE_RESPONSE_STATUSES,
  type DeviceFamily,
  type DeviceOs,
  type DeviceResponseStatus,
  OP_TYPES,
  type OpType,
  PROFILE_STATUSES,
  type ProfileStatus,
} from './device.js';
export type { OpenUnion } from './open-enum.js';
