import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type { removeProfileResponseSchema } from '../schemas/index.js';
import { defineOperation, type Operation } from './operation.js';
import { getSerialStatusMapSchema } from './serial-results.js';

/** `DELETE /profile/devices` response. Built on first use. @internal */
export const getRemoveProfileResponseSchema = lazy((z) =>
  z.looseObject({
    /** Result per serial. */
    devices: getSerialStatusMapSchema().nullish(),
  }),
);

/** Raw remove-profile response (inferred from {@link removeProfileResponseSchema}). */
export type RemoveProfileResponse = z.infer<typeof removeProfileResponseSchema>;

/** `DELETE /profile/devices` (JSON body on DELETE). Idempotent, safe to retry. @internal */
export const removeProfileOperation: Operation<RemoveProfileResponse> = defineOperation({
  name: 'removeProfile',
  method: 'DELETE',
  path: '/profile/devices',
  retrySafe: true,
  auth: 'session',
  response: getRemoveProfileResponseSchema,
});
