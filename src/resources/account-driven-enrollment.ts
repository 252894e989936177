import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type { accountDrivenEnrollmentProfileSchema } from '../schemas/index.js';
import { defineOperation, type Operation, unknownResponse } from './operation.js';

/** `GET /account-driven-enrollment/profile` response. Built on first use. @internal */
export const getAccountDrivenEnrollmentProfileSchema = lazy((z) =>
  z.looseObject({
    /** The MDM service-discovery URL devices use for account-driven enrollment. */
    mdm_service_discovery_url: z.string(),
    /** When it was last changed. */
    last_updated_timestamp: z.union([z.string(), z.number()]).nullish(),
  }),
);

/** Account-driven enrollment settings (inferred from {@link accountDrivenEnrollmentProfileSchema}). */
export type AccountDrivenEnrollmentProfile = z.infer<typeof accountDrivenEnrollmentProfileSchema>;

const PATH = '/account-driven-enrollment/profile';

/** Get the service-discovery URL. Safe to retry. @internal */
export const getAccountDrivenEnrollmentProfileOperation: Operation<AccountDrivenEnrollmentProfile> =
  defineOperation({
    name: 'getAccountDrivenEnrollmentProfile',
    method: 'GET',
    path: PATH,
    retrySafe: true,
    auth: 'session',
    response: getAccountDrivenEnrollmentProfileSchema,
  });

/** Set the service-discovery URL (empty 200). Setting the same URL twice is harmless. @internal */
export const setAccountDrivenEnrollmentProfileOperation: Operation<unknown> = defineOperation({
  name: 'setAccountDrivenEnrollmentProfile',
  method: 'POST',
  path: PATH,
  retrySafe: true,
  auth: 'session',
  response: unknownResponse,
});

/** Remove the service-discovery URL (empty 200). Idempotent. @internal */
export const removeAccountDrivenEnrollmentProfileOperation: Operation<unknown> = defineOperation({
  name: 'removeAccountDrivenEnrollmentProfile',
  method: 'DELETE',
  path: PATH,
  retrySafe: true,
  auth: 'session',
  response: unknownResponse,
});
