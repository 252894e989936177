/**
 * Types of the simulator's HTTP control API (`/_sim/…`).
 *
 * @module
 */
import type { DepSimulator } from '../create-simulator.js';

/** Path prefix of the control API. Apple's paths never start with it. */
export const SIM_CONTROL_PREFIX = '/_sim/';

/** Options of {@link DepSimulator.listen}. */
export interface SimListenOptions {
  /**
   * Also serve the HTTP control API under `/_sim/` on the same port (devices, clock, faults,
   * tokens, request log, reset; see `docs/simulator.md`). It has no authentication: keep the
   * server on loopback. `abmkit-simulator` turns it on; in-process tests rarely need it.
   * @default false
   */
  control?: boolean;
}

/** Body of every control-API error answer (4xx/5xx): a stable `code` and advice. */
export interface SimControlErrorBody {
  /**
   * `MALFORMED_JSON` (400), `INVALID_BODY` (400, the body does not match the route's schema;
   * see `issues`), `INVALID_ARGUMENT` and other abmkit error codes (400, refused by the
   * simulator, e.g. `CERTIFICATE_INVALID`), `DEVICE_NOT_FOUND` (404), `NOT_FOUND` (404, no such
   * control route), `METHOD_NOT_ALLOWED` (405, see `Allow`), `BODY_TOO_LARGE` (413),
   * `INTERNAL_ERROR` (500).
   */
  code: string;
  /** What went wrong and what to do. */
  message: string;
  /** For `INVALID_BODY`: each problem, with the JSON path of the offending field. */
  issues?: { path: string; message: string }[];
  /** For `DEVICE_NOT_FOUND`: the serials the simulator does not have assigned. */
  serials?: string[];
}

/** @internal What a control route receives. */
export interface ControlContext {
  sim: DepSimulator;
  /** Upper-case method. */
  method: string;
  /** Normalised path (no trailing slash). */
  path: string;
  query: Readonly<Record<string, string>>;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  rawBody: string;
}

/** @internal What a control route answers: JSON, or a raw body with its headers. */
export interface ControlResult {
  status: number;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * @internal One control route. Routes live in per-concern files (`routes-*.ts`) and are listed
 * in `routes.ts`; adding a concern is one new file and one line there.
 */
export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Full path, e.g. `/_sim/devices/modify`. */
  path: string;
  /** One line for the `GET /_sim` index. */
  summary: string;
  handle(ctx: ControlContext): ControlResult | Promise<ControlResult>;
}
