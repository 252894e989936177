import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type { defineProfileResponseSchema } from '../schemas/index.js';
import { defineOperation, type Operation } from './operation.js';
import {
  getSerialStatusMapSchema,
  type SerialResults,
  type SerialStatus,
} from './serial-results.js';

/** `POST /profile` response: the new profile's UUID and, if devices were sent, a result per serial. Built on first use. @internal */
export const getDefineProfileResponseSchema = lazy((z) =>
  z.looseObject({
    /** UUID of the profile Apple created. */
    profile_uuid: z.string().min(1),
    /** Result per serial listed in the profile's `devices`. */
    devices: getSerialStatusMapSchema().nullish(),
  }),
);

/** Raw define-profile response (inferred from {@link defineProfileResponseSchema}). */
export type DefineProfileResponse = z.infer<typeof defineProfileResponseSchema>;

/**
 * Result of {@link AbmClient.defineProfile}: the new UUID, and the merged per-serial results when
 * the profile listed `devices` (beyond the first 1000, serials are assigned with assign-profile and
 * their results merged here).
 */
export interface DefineProfileResult extends SerialResults<SerialStatus> {
  /** UUID of the profile Apple created. */
  profile_uuid: string;
}

/**
 * `POST /profile`. NOT retry-safe: every call mints a new profile UUID, so a blind replay after an
 * ambiguous failure would leave an orphan profile.
 * @internal
 */
export const defineProfileOperation: Operation<DefineProfileResponse> = defineOperation({
  name: 'defineProfile',
  method: 'POST',
  path: '/profile',
  retrySafe: false,
  auth: 'session',
  response: getDefineProfileResponseSchema,
});
