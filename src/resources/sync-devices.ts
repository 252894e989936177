import type { DeviceListResponse } from './device-list.js';
import { getDeviceListResponseSchema } from './device-list.js';
import { isDeviceListResponse } from './device-list-check.js';
import { defineOperation, type Operation } from './operation.js';

/** `POST /devices/sync`: changes since a cursor. A read, safe to retry. @internal */
export const syncDevicesOperation: Operation<DeviceListResponse> = defineOperation({
  name: 'syncDevices',
  method: 'POST',
  path: '/devices/sync',
  retrySafe: true,
  auth: 'session',
  response: getDeviceListResponseSchema,
  accepts: isDeviceListResponse,
});
