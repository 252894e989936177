import { z } from 'zod';
import { defineOperation, type Operation } from './operation.js';
import { serialStatusMapSchema } from './serial-results.js';

/** `POST /devices/disown` response. */
export const disownDevicesResponseSchema = z.looseObject({
  /** Result per serial. */
  devices: serialStatusMapSchema.nullish(),
});

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
  response: disownDevicesResponseSchema,
});
