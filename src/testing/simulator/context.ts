/**
 * What an endpoint handler receives and returns.
 *
 * @internal
 * @module
 */
import type { SimState } from './state.js';

/** @internal A normalised request plus the simulator state. */
export interface EndpointContext {
  state: SimState;
  /** Upper-case method. */
  method: string;
  path: string;
  query: Readonly<Record<string, string>>;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  rawBody: string;
  /** Absolute URL of the request (for OAuth signatures). */
  url: string;
  /** Protocol version from `X-Server-Protocol-Version`. */
  protocol: number;
  /** Simulator time, epoch ms. */
  now: number;
}

/** @internal What a handler answers. */
export interface EndpointResult {
  status: number;
  /** JSON body. */
  json?: unknown;
  /** Raw text body (takes precedence over `error` rendering). */
  text?: string;
  /** Apple error code; rendered in the configured error style when no `text`/`json` is given. */
  error?: string;
  headers?: Record<string, string>;
  serialsIn?: number;
  devicesOut?: number;
}

/** @internal An Apple error answer. */
export function appleError(status: number, code: string): EndpointResult {
  return { status, error: code };
}

/** @internal Parses the JSON body: an object, or `undefined` for anything else. */
export function jsonBody(ctx: EndpointContext): Record<string, unknown> | undefined {
  if (ctx.rawBody.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(ctx.rawBody);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @internal Reads the `devices` serial list of a body. Returns an error result for a missing,
 * empty or oversized list.
 */
export function serialList(
  ctx: EndpointContext,
  body: Record<string, unknown>,
): string[] | EndpointResult {
  const devices = body['devices'];
  if (devices === undefined || (Array.isArray(devices) && devices.length === 0)) {
    return appleError(400, 'DEVICE_ID_REQUIRED');
  }
  if (!Array.isArray(devices) || devices.some((d) => typeof d !== 'string')) {
    return appleError(400, 'MALFORMED_REQUEST_BODY');
  }
  if (devices.length > ctx.state.opts.maxSerials) {
    return { ...appleError(400, 'MALFORMED_REQUEST_BODY'), serialsIn: devices.length };
  }
  return devices as string[];
}
