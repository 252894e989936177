import { normaliseSerial } from '../profiles/serial.js';
import type { ManagerContext } from './context.js';
import type { EnrollmentEventName, EnrollmentEventPayload } from './enrollment-events.js';
import { type DeviceStatusChange, deviceStatusHistory } from './status-history.js';

/** Records that the enrollment profile was served to a device (status `profile-served`). @internal */
export async function recordProfileServed(
  ctx: ManagerContext,
  tokenId: string,
  serialNumber: string,
): Promise<boolean> {
  const serial = normaliseSerial(String(serialNumber ?? ''));
  if (serial === '') return false;
  const updated = await ctx.storage.updateDevices(tokenId, [
    { serialNumber: serial, profileServedAt: ctx.now().toISOString() },
  ]);
  return updated > 0;
}

/** Emits an `enrollment.*` event; a served profile is first recorded on the device. @internal */
export async function recordEnrollmentEvent(
  ctx: ManagerContext,
  name: EnrollmentEventName,
  payload: EnrollmentEventPayload,
): Promise<void> {
  if (
    name === 'enrollment.profile-served' &&
    payload.tokenId !== null &&
    payload.serialNumber !== null
  ) {
    await recordProfileServed(ctx, payload.tokenId, payload.serialNumber);
  }
  ctx.events.emit(name, { ...payload });
}

/** The device's status history, or `null` when the token does not know it. @internal */
export async function statusHistoryOf(
  ctx: ManagerContext,
  tokenId: string,
  serialNumber: string,
): Promise<DeviceStatusChange[] | null> {
  const record = await ctx.storage.getDevice(tokenId, normaliseSerial(String(serialNumber ?? '')));
  return record === null ? null : deviceStatusHistory(record);
}
