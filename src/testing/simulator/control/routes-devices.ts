/**
 * `/_sim/devices`: add, modify and remove devices the way an ABM admin would.
 *
 * @internal
 * @module
 */
import { z } from 'zod';
import type { SimDevicePatch } from '../types.js';
import { ControlProblem, parseBody } from './problem.js';
import { MAX_DEVICES_PER_REQUEST, serialsSchema } from './schemas.js';
import type { ControlContext, ControlRoute } from './types.js';

const PLATFORMS = ['iPhone', 'iPad', 'Mac', 'AppleTV', 'Vision', 'Watch'] as const;

const addSchema = z.strictObject({
  count: z.number().int().min(1).max(MAX_DEVICES_PER_REQUEST),
  platform: z.enum(PLATFORMS).optional(),
});

// `null` removes a field; absent fields are left alone. The serial cannot change.
const text = z.string().max(1000).nullable().optional();
const list = z.array(z.string().max(100)).max(16).nullable().optional();
const patchSchema = z.strictObject({
  model: text,
  description: text,
  color: text,
  asset_tag: text,
  profile_status: text,
  profile_uuid: text,
  profile_assign_time: text,
  profile_push_time: text,
  device_assigned_date: text,
  device_assigned_by: text,
  os: text,
  device_family: text,
  mdm_migration_deadline: text,
  eid: text,
  wifi_mac_address: text,
  bluetooth_mac_address: text,
  ethernet_mac_address: list,
  imei: list,
  meid: list,
  is_replacement_device: z.boolean().nullable().optional(),
});

const modifySchema = z.strictObject({ serials: serialsSchema, patch: patchSchema.optional() });
const removeSchema = z.strictObject({ serials: serialsSchema });

function toPatch(patch: z.output<typeof patchSchema> | undefined): SimDevicePatch {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value !== undefined) out[key] = value === null ? undefined : value;
  }
  return out as SimDevicePatch;
}

/** Checks every serial first, so a request with one unknown serial changes nothing. */
function requireAssigned(ctx: ControlContext, serials: readonly string[]): void {
  const missing = serials.filter((serial) => ctx.sim.devices.get(serial) === undefined);
  if (missing.length > 0) {
    throw new ControlProblem(
      404,
      'DEVICE_NOT_FOUND',
      `${missing.length} of the serials are not assigned to the simulated server; nothing was changed. List assigned serials with GET /_sim/devices.`,
      { serials: missing.slice(0, 100) },
    );
  }
}

function limitOf(ctx: ControlContext): number {
  const raw = ctx.query['limit'] ?? '100';
  if (!/^\d{1,6}$/.test(raw) || Number(raw) > MAX_DEVICES_PER_REQUEST) {
    throw new ControlProblem(
      400,
      'INVALID_ARGUMENT',
      `limit must be an integer from 0 to ${MAX_DEVICES_PER_REQUEST}.`,
    );
  }
  return Number(raw);
}

/** @internal */
export const deviceRoutes: readonly ControlRoute[] = [
  {
    method: 'GET',
    path: '/_sim/devices',
    summary: '?limit=n → { count, serials } (first n assigned serials, fetch order)',
    handle: (ctx) => ({
      status: 200,
      json: { count: ctx.sim.devices.count, serials: ctx.sim.devices.serials(limitOf(ctx)) },
    }),
  },
  {
    method: 'POST',
    path: '/_sim/devices',
    summary: '{ count, platform? } → { serials, count }: assigns new devices (sync: added)',
    handle(ctx) {
      const { count, platform } = parseBody(ctx, addSchema);
      const serials: string[] = [];
      for (let i = 0; i < count; i++) {
        serials.push(ctx.sim.devices.add(platform ? { platform } : {}).serial_number);
      }
      return { status: 200, json: { serials, count: ctx.sim.devices.count } };
    },
  },
  {
    method: 'POST',
    path: '/_sim/devices/modify',
    summary: '{ serials, patch? } → { serials, count }: changes devices (sync: modified)',
    handle(ctx) {
      const body = parseBody(ctx, modifySchema);
      requireAssigned(ctx, body.serials);
      const patch = toPatch(body.patch);
      for (const serial of body.serials) ctx.sim.devices.modify(serial, patch);
      return { status: 200, json: { serials: body.serials, count: ctx.sim.devices.count } };
    },
  },
  {
    method: 'POST',
    path: '/_sim/devices/remove',
    summary: '{ serials } → { serials, count }: releases devices (sync: deleted)',
    handle(ctx) {
      const body = parseBody(ctx, removeSchema);
      requireAssigned(ctx, body.serials);
      for (const serial of body.serials) ctx.sim.devices.remove(serial);
      return { status: 200, json: { serials: body.serials, count: ctx.sim.devices.count } };
    },
  },
];
