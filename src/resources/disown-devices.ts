import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type { disownDevicesResponseSchema } from '../schemas/index.js';
import { defineOperation, type Operation } from './operation.js';
import { getSerialStatusMapSchema } from './serial-results.js';

/** `POST /devices/disown` response. Built on first use. @internal */
export const getDisownDevicesResponseSchema = lazy((z) =>
  z.looseObject({
    /** Result per serial. */
    devices: getSerialStatusMapSchema().nullish(),
  }),
);

/** Raw disown response (inferred from {@link disownDevicesResponseSchema}). */
export type DisownDevicesResponse = z.infer<typeof disownDevicesResponseSchema>;

/**
 * `POST /devices/disown`: irreversibly releases devices. NOT retry-safe: replayed only when the
 * request provably never reached Apple.
 * @internal
 */
export const disownDevicesOperation: Operation<DisownDevicesResponse> = defineOperation({
  name: 'disownDevices',
  method: 'POST',
  path: '/devices/disown',
  retrySafe: false,
  auth: 'session',
  response: getDisownDevicesResponseSchema,
});
