export type {
  DevicePage,
  DevicePagesOptions,
  DevicePhase,
} from './device-pages.js';
