/**
 * Operators' tools over an `AbmManager`: the admin HTTP handler an MDM mounts under its own auth
 * (`createAdminHandler`, web-standard `Request → Response`, plus `toNodeHandler` for `node:http`),
 * its OpenAPI document, and the troubleshooting doctor the `abmkit` command line also uses.
 *
 * @module
 */
export { type DeviceView, deviceView } from './device-view.js';
export {
  type DoctorCheck,
  type DoctorFinding,
  type DoctorOptions,
  type DoctorReport,
  type DoctorSeverity,
  runDoctor,
} from './doctor.js';
export {
  type AdminAuthorize,
  type AdminHandler,
  type AdminHandlerOptions,
  createAdminHandler,
} from './handler.js';
export { type NodeRequestListener, toNodeHandler } from './node-adapter.js';
export { adminOpenApi } from './openapi.js';
