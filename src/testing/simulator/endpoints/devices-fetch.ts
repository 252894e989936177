/**
 * `POST /server/devices` (fetch) and `POST /devices/sync` (sync).
 *
 * @internal
 * @module
 */
import { appleError, type EndpointContext, type EndpointResult, jsonBody } from '../context.js';
import { type CursorState, decodeCursor, encodeCursor } from '../cursors.js';
import { isoSeconds } from '../population.js';
import { renderDevice } from '../render.js';

function pageLimit(ctx: EndpointContext, body: Record<string, unknown>): number | EndpointResult {
  const { fetchDefault, fetchMaximum, overLimit } = ctx.state.opts;
  const limit = body['limit'];
  if (limit === undefined || limit === null) return fetchDefault;
  if (typeof limit !== 'number' || !Number.isInteger(limit))
    return appleError(400, 'MALFORMED_REQUEST_BODY');
  if (limit <= 0) return fetchDefault;
  if (limit > fetchMaximum)
    return overLimit === 'reject' ? appleError(400, 'MALFORMED_REQUEST_BODY') : fetchMaximum;
  return limit;
}

function readCursor(
  ctx: EndpointContext,
  body: Record<string, unknown>,
): CursorState | undefined | EndpointResult {
  const cursor = body['cursor'];
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  if (typeof cursor !== 'string') return appleError(400, 'INVALID_CURSOR');
  const state = decodeCursor(ctx.state.cursorSecret, cursor);
  if (
    !state ||
    state.generation !== ctx.state.generation ||
    state.seq > ctx.state.devices.events.length ||
    state.position > ctx.state.devices.slotCount ||
    state.issuedAt > ctx.now + 60_000
  ) {
    return appleError(400, 'INVALID_CURSOR');
  }
  return state;
}

function isResult(value: unknown): value is EndpointResult {
  return typeof value === 'object' && value !== null && 'status' in value;
}

function cursorFor(
  ctx: EndpointContext,
  state: Omit<CursorState, 'issuedAt' | 'generation'>,
): string {
  return encodeCursor(ctx.state.cursorSecret, {
    ...state,
    issuedAt: Math.floor(ctx.now),
    generation: ctx.state.generation,
  });
}

/** @internal Fetch: the snapshot of every device assigned to the server, page by page. */
export function fetchDevices(ctx: EndpointContext): EndpointResult {
  const body = jsonBody(ctx);
  if (!body) return appleError(400, 'MALFORMED_REQUEST_BODY');
  const limit = pageLimit(ctx, body);
  if (isResult(limit)) return limit;
  const cursor = readCursor(ctx, body);
  if (isResult(cursor)) return cursor;
  if (cursor && cursor.kind !== 'f') return appleError(400, 'EXHAUSTED_CURSOR');
  const store = ctx.state.devices;
  const seq = cursor ? cursor.seq : store.events.length;
  let slot = store.nextPresent(cursor ? cursor.position : 0);
  const devices: Readonly<Record<string, unknown>>[] = [];
  while (slot < store.slotCount && devices.length < limit) {
    devices.push(renderDevice(store.at(slot), ctx.protocol));
    slot = store.nextPresent(slot + 1);
  }
  const more = slot < store.slotCount;
  return {
    status: 200,
    json: {
      devices,
      cursor: cursorFor(ctx, { kind: more ? 'f' : 'x', position: slot, seq }),
      fetched_until: isoSeconds(ctx.now),
      more_to_follow: more,
    },
    devicesOut: devices.length,
  };
}

/** @internal Sync: every change since the cursor, oldest first, duplicates included. */
export function syncDevices(ctx: EndpointContext): EndpointResult {
  const body = jsonBody(ctx);
  if (!body) return appleError(400, 'MALFORMED_REQUEST_BODY');
  const limit = pageLimit(ctx, body);
  if (isResult(limit)) return limit;
  const cursor = readCursor(ctx, body);
  if (isResult(cursor)) return cursor;
  if (!cursor) return appleError(400, 'CURSOR_REQUIRED');
  if (ctx.now - cursor.issuedAt > ctx.state.opts.cursorMaxAgeMs) {
    return appleError(400, 'EXPIRED_CURSOR');
  }
  const events = ctx.state.devices.events;
  const end = Math.min(events.length, cursor.seq + limit);
  const devices: Record<string, unknown>[] = [];
  for (let i = cursor.seq; i < end; i++) {
    const event = events[i];
    if (!event) continue;
    const record = { ...renderDevice(event.device, ctx.protocol) };
    record['op_type'] = event.opType;
    record['op_date'] =
      event.opType === 'added' ? event.device.device_assigned_date : isoSeconds(event.opDate);
    if (event.opType === 'deleted' && ctx.protocol >= 10) {
      record['released_by_replacement'] = event.releasedByReplacement === true;
    }
    devices.push(record);
  }
  return {
    status: 200,
    json: {
      devices,
      cursor: cursorFor(ctx, { kind: 's', position: 0, seq: end }),
      more_to_follow: end < events.length,
    },
    devicesOut: devices.length,
  };
}
