import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type { replacementDetailsSchema } from '../schemas/index.js';
import { defineOperation, type Operation } from './operation.js';

/** `GET /device/replacementDetails` response (protocol ≥ 10). Built on first use. @internal */
export const getReplacementDetailsSchema = lazy((z) =>
  z.looseObject({
    /** The replacement device. */
    serial_number: z.string(),
    /** The device it replaced. */
    original_device_serial_number: z.string().nullish(),
    /** When, as `YYYY-MM-DD`. */
    replacement_date: z.string().nullish(),
  }),
);

/** Replacement details (inferred from {@link replacementDetailsSchema}). */
export type ReplacementDetails = z.infer<typeof replacementDetailsSchema>;

/** `GET /device/replacementDetails?device=<serial>`. Safe to retry. @internal */
export const getReplacementDetailsOperation: Operation<ReplacementDetails> = defineOperation({
  name: 'getReplacementDetails',
  method: 'GET',
  path: '/device/replacementDetails',
  retrySafe: true,
  auth: 'session',
  response: getReplacementDetailsSchema,
});
