import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import { type AdeDevice, getAdeDeviceSchema } from '../schemas/device.js';
import { isAdeDevice } from '../schemas/device-check.js';
import type { deviceListResponseSchema } from '../schemas/index.js';

/**
 * Response of fetch and sync: one page of devices and the cursor after it. Built on first use;
 * `abmkit/schemas` exports the schema itself. @internal
 */
export const getDeviceListResponseSchema = lazy((z) => {
  const fullDeviceArray = z.array(getAdeDeviceSchema());
  /**
   * The page's device array: checked with the allocation-free {@link isAdeDevice} (same rules as
   * `adeDeviceSchema`), and only re-parsed with zod to report precise issues when that fails.
   */
  const deviceArraySchema = z
    .custom<AdeDevice[]>((value) => Array.isArray(value))
    .superRefine((value, ctx) => {
      for (const item of value) {
        if (!isAdeDevice(item)) {
          const full = fullDeviceArray.safeParse(value);
          if (!full.success)
            for (const issue of full.error.issues)
              ctx.addIssue({ ...issue, code: 'custom', message: issue.message, path: issue.path });
          return;
        }
      }
    });
  return z.looseObject({
    /** Devices on this page, oldest operation first. May be absent or empty. */
    devices: deviceArraySchema.nullish(),
    /** The cursor after this page: persist it once the page is applied. */
    cursor: z.string().nullish(),
    /** `true`: ask again right away with the new cursor. */
    more_to_follow: z.boolean().nullish(),
    /** Timestamp up to which Apple processed this request (may be absent on sync pages). */
    fetched_until: z.string().nullish(),
  });
});

/** One page of fetch or sync (inferred from {@link deviceListResponseSchema}). */
export type DeviceListResponse = z.infer<typeof deviceListResponseSchema>;

/** Request body of fetch and sync. */
export interface DeviceListRequest {
  /** Cursor from a previous page (required for sync). */
  cursor?: string;
  /** Devices per page; clamped to 1..1000. @default 100 */
  limit?: number;
}

/** The largest page size Apple documents for fetch and sync. */
export const MAX_DEVICE_PAGE_LIMIT = 1000;
/** The page size used when none is given. */
export const DEFAULT_DEVICE_PAGE_LIMIT = 100;

/** Clamps a page size to 1..max (default 100). @internal */
export function clampLimit(limit: number | undefined, max: number = MAX_DEVICE_PAGE_LIMIT): number {
  if (limit === undefined || !Number.isFinite(limit))
    return Math.min(DEFAULT_DEVICE_PAGE_LIMIT, max);
  return Math.max(1, Math.min(Math.floor(limit), max));
}
