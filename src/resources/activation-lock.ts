import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type { activationLockResponseSchema } from '../schemas/index.js';
import { type OpenUnion, openEnum } from '../schemas/open-enum.js';
import { defineOperation, type Operation } from './operation.js';

/** Known activation-lock results. */
export const ACTIVATION_LOCK_STATUSES = [
  'SUCCESS',
  'NOT_ACCESSIBLE',
  'DEVICE_NOT_SUPPORTED',
  'DEVICE_ALREADY_LOCKED',
  'FAILED',
] as const;
/** An activation-lock result string. */
export type ActivationLockStatus = OpenUnion<(typeof ACTIVATION_LOCK_STATUSES)[number]>;

/** `POST /device/activationlock` response. Built on first use. @internal */
export const getActivationLockResponseSchema = lazy((z) =>
  z.looseObject({
    /** The device. */
    serial_number: z.string().nullish(),
    /** The result. */
    response_status: openEnum(ACTIVATION_LOCK_STATUSES),
  }),
);

/** Activation-lock response (inferred from {@link activationLockResponseSchema}). */
export type ActivationLockResponse = z.infer<typeof activationLockResponseSchema>;

/** Input of {@link AbmClient.activationLock}. */
export interface ActivationLockInput {
  /** Serial number of the device to lock. */
  device: string;
  /** Hex escrow key derived from a bypass code; without it the device locks to the server's creator. */
  escrowKey?: string;
  /** Message shown on the locked device. */
  lostMessage?: string;
}

/** `POST /device/activationlock`. NOT retry-safe. @internal */
export const activationLockOperation: Operation<ActivationLockResponse> = defineOperation({
  name: 'activationLock',
  method: 'POST',
  path: '/device/activationlock',
  retrySafe: false,
  auth: 'session',
  response: getActivationLockResponseSchema,
});
