import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import { type AdeDevice, getAdeDeviceSchema } from '../schemas/device.js';
import type { deviceDetailsResponseSchema } from '../schemas/index.js';
import { defineOperation, type Operation } from './operation.js';

/** `POST /devices` response: one record (with `response_status`) per serial. Built on first use. @internal */
export const getDeviceDetailsResponseSchema = lazy((z) =>
  z.looseObject({
    /** Device record per serial. */
    devices: z.record(z.string(), getAdeDeviceSchema()).nullish(),
  }),
);

/** Raw device-details response (inferred from {@link deviceDetailsResponseSchema}). */
export type DeviceDetailsResponse = z.infer<typeof deviceDetailsResponseSchema>;

/** Merged device details: a record per serial Apple answered for, and the serials it did not. */
export interface DeviceDetailsResult {
  /** Device record per serial (see `response_status`). */
  devices: Record<string, AdeDevice>;
  /** Serials Apple's answer did not mention. */
  missing: string[];
}

/** `POST /devices`: details for up to 1000 serials. A read, safe to retry. @internal */
export const getDeviceDetailsOperation: Operation<DeviceDetailsResponse> = defineOperation({
  name: 'getDeviceDetails',
  method: 'POST',
  path: '/devices',
  retrySafe: true,
  auth: 'session',
  response: getDeviceDetailsResponseSchema,
});
