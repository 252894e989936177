/**
 * Profiles: define (`POST /profile`), get (`GET /profile`), assign (`PUT`/`POST /profile/devices`)
 * and remove (`DELETE /profile/devices`).
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
import { isoSeconds } from '../population.js';
import { profileError } from './profile-validate.js';

/** Assigns a profile to serials; returns the per-serial map and whether any was throttled. */
function assign(
  ctx: EndpointContext,
  uuid: string,
  serials: readonly string[],
  allowThrottled: boolean,
): { devices: Record<string, string>; throttled: boolean } {
  const { state } = ctx;
  // A Map, not an object literal: serials are caller input (`__proto__`, `constructor`, …).
  const devices = new Map<string, string>();
  let throttled = false;
  const throttle = state.opts.throttle;
  if (throttle && ctx.now - state.throttleWindow.start >= throttle.windowMs) {
    state.throttleWindow = { start: ctx.now, used: 0 };
  }
  for (const serial of serials) {
    if (devices.has(serial)) continue;
    const device = state.devices.get(serial);
    if (!device) {
      devices.set(serial, 'NOT_ACCESSIBLE');
      continue;
    }
    let outcome = state.assignOutcomes.get(serial) ?? 'SUCCESS';
    if (outcome === 'SUCCESS' && throttle && state.throttleWindow.used >= throttle.max)
      outcome = 'THROTTLED';
    if (outcome === 'THROTTLED' && !allowThrottled) outcome = 'FAILED';
    if (outcome === 'SUCCESS') {
      if (throttle) state.throttleWindow.used++;
      if (
        device.profile_uuid !== uuid ||
        device.profile_status === 'removed' ||
        device.profile_status === 'empty'
      ) {
        state.devices.modify(
          serial,
          {
            profile_uuid: uuid,
            profile_status: 'assigned',
            profile_assign_time: isoSeconds(ctx.now),
            profile_push_time: undefined,
          },
          ctx.now,
        );
      }
    }
    if (outcome === 'THROTTLED') throttled = true;
    devices.set(serial, outcome);
  }
  return { devices: Object.fromEntries(devices), throttled };
}

/** @internal Define a profile. */
export function defineProfile(ctx: EndpointContext): EndpointResult {
  const body = jsonBody(ctx);
  if (!body) return appleError(400, 'MALFORMED_REQUEST_BODY');
  const problem = profileError(body);
  if (problem) return appleError(400, problem);
  const serials = (body['devices'] as string[] | undefined) ?? [];
  if (serials.length > ctx.state.opts.maxSerials) {
    return { ...appleError(400, 'MALFORMED_REQUEST_BODY'), serialsIn: serials.length };
  }
  const uuid = ctx.state.newProfileUuid();
  const { devices: _omit, ...profile } = body;
  ctx.state.profiles.set(uuid, { ...profile, profile_uuid: uuid });
  const result = assign(ctx, uuid, serials, false);
  return {
    status: 200,
    json: { profile_uuid: uuid, devices: result.devices },
    serialsIn: serials.length,
  };
}

/** @internal Get a profile by `profile_uuid`. */
export function getProfile(ctx: EndpointContext): EndpointResult {
  const uuid = ctx.query['profile_uuid'];
  if (!uuid) return appleError(400, 'PROFILE_UUID_REQUIRED');
  const profile = ctx.state.profiles.get(uuid);
  return profile ? { status: 200, json: profile } : appleError(404, 'PROFILE_NOT_FOUND');
}

/** @internal Assign a profile (PUT or POST). */
export function assignProfile(ctx: EndpointContext): EndpointResult {
  const body = jsonBody(ctx);
  if (!body) return appleError(400, 'MALFORMED_REQUEST_BODY');
  const uuid = body['profile_uuid'];
  if (uuid === undefined || uuid === null || uuid === '')
    return appleError(400, 'PROFILE_UUID_REQUIRED');
  if (typeof uuid !== 'string') return appleError(400, 'MALFORMED_REQUEST_BODY');
  const serials = serialList(ctx, body);
  if (!Array.isArray(serials)) return serials;
  if (!ctx.state.profiles.has(uuid))
    return { ...appleError(404, 'PROFILE_NOT_FOUND'), serialsIn: serials.length };
  const result = assign(ctx, uuid, serials, ctx.protocol >= 9);
  const json: Record<string, unknown> = { profile_uuid: uuid, devices: result.devices };
  if (result.throttled && ctx.protocol >= 10) {
    json['retry_after_seconds'] = ctx.state.opts.throttle?.retryAfterSeconds ?? 60;
  }
  return { status: 200, json, serialsIn: serials.length };
}

/** @internal Remove (clear) the profile of devices. */
export function removeProfile(ctx: EndpointContext): EndpointResult {
  const body = jsonBody(ctx);
  if (!body) return appleError(400, 'MALFORMED_REQUEST_BODY');
  const serials = serialList(ctx, body);
  if (!Array.isArray(serials)) return serials;
  const devices = new Map<string, string>();
  for (const serial of serials) {
    if (devices.has(serial)) continue;
    const device = ctx.state.devices.get(serial);
    if (!device) {
      devices.set(serial, 'NOT_ACCESSIBLE');
      continue;
    }
    if (device.profile_status !== 'removed' && device.profile_status !== 'empty') {
      ctx.state.devices.modify(
        serial,
        {
          profile_status: 'removed',
          profile_uuid: undefined,
          profile_assign_time: undefined,
          profile_push_time: undefined,
        },
        ctx.now,
      );
    }
    devices.set(serial, 'SUCCESS');
  }
  return { status: 200, json: { devices: Object.fromEntries(devices) }, serialsIn: serials.length };
}
