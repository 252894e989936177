/**
 * `POST /devices` (details), `POST /devices/disown`, `POST /device/activationlock` and
 * `GET /device/replacementDetails`.
 *
 * @internal
 * @module
 */
import {
  appleError,
  type EndpointContext,
  type EndpointResult,
  jsonBody,
  serialList,
} from '../context.js';
import { renderDevice } from '../render.js';

/** @internal Device details: `{devices: {serial: Device + response_status}}`. */
export function deviceDetails(ctx: EndpointContext): EndpointResult {
  const body = jsonBody(ctx);
  if (!body) return appleError(400, 'MALFORMED_REQUEST_BODY');
  const serials = serialList(ctx, body);
  if (!Array.isArray(serials)) return serials;
  // A Map, not an object literal: serials are caller input, and `devices[serial] = …` would turn
  // `__proto__` into a prototype change and skip `constructor`/`toString` on `in` tests.
  const devices = new Map<string, unknown>();
  let found = 0;
  for (const serial of serials) {
    const device = ctx.state.devices.get(serial);
    if (device) {
      found++;
      devices.set(serial, { ...renderDevice(device, ctx.protocol), response_status: 'SUCCESS' });
    } else {
      devices.set(serial, { serial_number: serial, response_status: 'NOT_ACCESSIBLE' });
    }
  }
  return {
    status: 200,
    json: { devices: Object.fromEntries(devices) },
    serialsIn: serials.length,
    devicesOut: found,
  };
}

/** @internal Disown: releases devices from the server (sync reports `deleted`). */
export function disownDevices(ctx: EndpointContext): EndpointResult {
  const body = jsonBody(ctx);
  if (!body) return appleError(400, 'MALFORMED_REQUEST_BODY');
  const serials = serialList(ctx, body);
  if (!Array.isArray(serials)) return serials;
  const devices = new Map<string, string>();
  for (const serial of serials) {
    if (devices.has(serial)) continue;
    if (ctx.state.devices.get(serial)) {
      ctx.state.devices.remove(serial, ctx.now);
      devices.set(serial, 'SUCCESS');
    } else {
      devices.set(serial, 'NOT_ACCESSIBLE');
    }
  }
  return { status: 200, json: { devices: Object.fromEntries(devices) }, serialsIn: serials.length };
}

/** @internal Activation lock: `{serial_number, response_status}`. */
export function activationLock(ctx: EndpointContext): EndpointResult {
  const body = jsonBody(ctx);
  const serial = body?.['device'];
  const escrow = body?.['escrow_key'];
  const message = body?.['lost_message'];
  if (
    !body ||
    typeof serial !== 'string' ||
    serial === '' ||
    (escrow !== undefined && (typeof escrow !== 'string' || !/^[0-9a-fA-F]{64}$/.test(escrow))) ||
    (message !== undefined && typeof message !== 'string')
  ) {
    return appleError(400, 'MALFORMED_REQUEST_BODY');
  }
  const device = ctx.state.devices.get(serial);
  let status = 'SUCCESS';
  if (!device) status = 'NOT_ACCESSIBLE';
  else if (device.device_family === 'AppleTV' || device.device_family === 'Vision')
    status = 'DEVICE_NOT_SUPPORTED';
  else if (ctx.state.activationLocked.has(serial)) status = 'DEVICE_ALREADY_LOCKED';
  else ctx.state.activationLocked.add(serial);
  return { status: 200, json: { serial_number: serial, response_status: status }, serialsIn: 1 };
}

/** @internal Replacement details (protocol ≥ 10). */
export function replacementDetails(ctx: EndpointContext): EndpointResult {
  if (ctx.protocol < 10) return appleError(404, 'NOT_FOUND');
  const serial = ctx.query['device'];
  if (!serial) return appleError(400, 'DEVICE_ID_REQUIRED');
  const link = ctx.state.devices.replacementOf(serial);
  if (!link) return { ...appleError(404, 'DEVICE_NOT_FOUND'), serialsIn: 1 };
  return {
    status: 200,
    json: {
      serial_number: serial,
      original_device_serial_number: link.original,
      replacement_date: new Date(link.date).toISOString().slice(0, 10),
    },
    serialsIn: 1,
  };
}
