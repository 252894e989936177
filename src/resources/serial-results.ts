import { lazy } from '../internal/zod.js';
import { type OpenUnion, openEnum } from '../schemas/open-enum.js';

/** Known per-serial results of assign-profile (`THROTTLED` from protocol 9). */
export const ASSIGN_STATUSES = ['SUCCESS', 'NOT_ACCESSIBLE', 'FAILED', 'THROTTLED'] as const;
/** A per-serial assign-profile result: `SUCCESS`, `NOT_ACCESSIBLE`, `FAILED`, `THROTTLED`, or newer. */
export type AssignStatus = OpenUnion<(typeof ASSIGN_STATUSES)[number]>;

/** Known per-serial results of disown, remove-profile and define-profile. */
export const SERIAL_STATUSES = ['SUCCESS', 'NOT_ACCESSIBLE', 'FAILED'] as const;
/** A per-serial result: `SUCCESS`, `NOT_ACCESSIBLE`, `FAILED`, or newer. */
export type SerialStatus = OpenUnion<(typeof SERIAL_STATUSES)[number]>;

/** A `{serial: status}` map as Apple returns it, built on first use. @internal */
export const getSerialStatusMapSchema = lazy((z) =>
  z.record(z.string(), openEnum(SERIAL_STATUSES)),
);

/**
 * The merged result of a serial-list call. Lists longer than 1000 serials are sent in chunks;
 * their maps are merged here. Serials that Apple did not mention in any answer are listed in
 * `missing` (never silently dropped): treat them as not processed (e.g. `FAILED`) and retry later.
 */
export interface SerialResults<S extends string> {
  /** Apple's answer per serial. */
  devices: Record<string, S>;
  /** Serials that were sent but that Apple's answer did not mention. */
  missing: string[];
}
