import { z } from 'zod';
import { defineOperation, type Operation } from './operation.js';
import { serialStatusMapSchema } from './serial-results.js';

/** `DELETE /profile/devices` response. */
export const removeProfileResponseSchema = z.looseObject({
  /** Result per serial. */
  devices: serialStatusMapSchema.nullish(),
});

/** Raw remove-profile response (inferred from {@link removeProfileResponseSchema}). */
export type RemoveProfileResponse = z.infer<typeof removeProfileResponseSchema>;

/** `DELETE /profile/devices` (JSON body on DELETE). Idempotent, safe to retry. @internal */
export const removeProfileOperation: Operation<RemoveProfileResponse> = defineOperation({
  name: 'removeProfile',
  method: 'DELETE',
  path: '/profile/devices',
  retrySafe: true,
  auth: 'session',
  response: removeProfileResponseSchema,
});
