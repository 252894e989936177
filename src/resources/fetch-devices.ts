import type { DeviceListResponse } from './device-list.js';
import { getDeviceListResponseSchema } from './device-list.js';
import { isDeviceListResponse } from './device-list-check.js';
import { defineOperation, type Operation } from './operation.js';

/** `POST /server/devices`: a page of the full device list. A read, safe to retry. @internal */
export const fetchDevicesOperation: Operation<DeviceListResponse> = defineOperation({
  name: 'fetchDevices',
  method: 'POST',
  path: '/server/devices',
  retrySafe: true,
  auth: 'session',
  response: getDeviceListResponseSchema,
  accepts: isDeviceListResponse,
});
