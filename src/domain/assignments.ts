import { InvalidArgumentError } from '../errors/index.js';
import type { AssignmentResultInput, AssignmentRetryRecord } from '../storage/types.js';
import { checkIso, checkSerial } from './validate.js';

/**
 * The net effect of a batch of assignment results on one serial, as the storage front hands
 * it to `RetryPersistence.record`.
 */
export interface SerialAssignmentPlan {
  /** The device. */
  serial: string;
  /** The last SUCCESS in the batch (sets the device's assigned profile). */
  success: { profileUuid: string; at: string } | null;
  /** The retry entry to leave behind, or `null` to delete it (last result was SUCCESS). */
  retry: {
    /** The profile to assign. */
    profileUuid: string;
    /** The last result's status. */
    status: AssignmentRetryRecord['status'];
    /** When it is due (`null` for `NOT_ACCESSIBLE`: never). */
    nextAttemptAt: string | null;
    /** The last detail recorded. */
    lastError: string | null;
    /** Attempts to add. */
    increment: number;
    /** Start counting from zero (a SUCCESS came earlier in the batch). */
    reset: boolean;
  } | null;
}

/** Collapses validated results (in order) to one plan per serial. @internal */
export function planAssignmentResults(
  results: readonly AssignmentResultInput[],
  nowIso: string,
): SerialAssignmentPlan[] {
  const plans = new Map<string, SerialAssignmentPlan>();
  for (const r of results) {
    const plan = plans.get(r.serialNumber) ?? {
      serial: r.serialNumber,
      success: null,
      retry: null,
    };
    if (r.status === 'SUCCESS') {
      plan.success = { profileUuid: r.profileUuid, at: r.at ?? nowIso };
      plan.retry = null;
    } else {
      const prev = plan.retry;
      plan.retry = {
        profileUuid: r.profileUuid,
        status: r.status,
        nextAttemptAt: r.status === 'NOT_ACCESSIBLE' ? null : (r.nextAttemptAt ?? null),
        lastError: r.error ?? null,
        increment: (prev?.increment ?? 0) + 1,
        reset: prev?.reset ?? plan.success !== null,
      };
    }
    plans.set(r.serialNumber, plan);
  }
  return [...plans.values()];
}

/** Validates one assignment result (timestamps normalised to `toISOString`). @internal */
export function normaliseResult(r: AssignmentResultInput): AssignmentResultInput {
  checkSerial(r.serialNumber);
  if (typeof r.profileUuid !== 'string' || r.profileUuid.length === 0) {
    throw new InvalidArgumentError('An assignment result needs the profileUuid it was for.');
  }
  if (!['SUCCESS', 'FAILED', 'THROTTLED', 'NOT_ACCESSIBLE'].includes(r.status)) {
    throw new InvalidArgumentError(`Unknown assignment status "${String(r.status)}".`);
  }
  const out: AssignmentResultInput = { ...r };
  if (r.status === 'FAILED' || r.status === 'THROTTLED') {
    out.nextAttemptAt = checkIso(r.nextAttemptAt, `nextAttemptAt of a ${r.status} result`);
  }
  if (r.at !== undefined) out.at = checkIso(r.at, 'at');
  return out;
}
