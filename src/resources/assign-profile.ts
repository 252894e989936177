import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type { assignProfileResponseSchema } from '../schemas/index.js';
import { openEnum } from '../schemas/open-enum.js';
import { defineOperation, type Operation } from './operation.js';
import { ASSIGN_STATUSES, type AssignStatus, type SerialResults } from './serial-results.js';

/** Assign-profile response for one request of ≤ 1000 serials. Built on first use. @internal */
export const getAssignProfileResponseSchema = lazy((z) =>
  z.looseObject({
    /** The profile assigned. */
    profile_uuid: z.string().nullish(),
    /** Result per serial. */
    devices: z.record(z.string(), openEnum(ASSIGN_STATUSES)).nullish(),
    /** Protocol ≥ 10: wait at least this long before retrying `THROTTLED` serials. */
    retry_after_seconds: z.number().nullish(),
  }),
);

/** Raw assign-profile response (inferred from {@link assignProfileResponseSchema}). */
export type AssignProfileResponse = z.infer<typeof assignProfileResponseSchema>;

/** Merged result of {@link AbmClient.assignProfile}. */
export interface AssignProfileResult extends SerialResults<AssignStatus> {
  /** The profile assigned. */
  profile_uuid: string;
  /** The largest `retry_after_seconds` of any chunk, when Apple throttled serials. */
  retry_after_seconds?: number;
}

/**
 * Assign-profile (`POST` per Apple's docs, or `PUT`). Idempotent (same profile, same serials),
 * so safe to retry.
 * @internal
 */
export function assignProfileOperation(method: 'POST' | 'PUT'): Operation<AssignProfileResponse> {
  return defineOperation({
    name: 'assignProfile',
    method,
    path: '/profile/devices',
    retrySafe: true,
    auth: 'session',
    response: getAssignProfileResponseSchema,
  });
}
