/**
 * The simulator's HTTP control API (`/_sim/…`).
 *
 * @module
 */
export { handleSimControl } from './handle-control.js';
export {
  type SimControlServer,
  type SimControlServerOptions,
  startSimulatorControl,
} from './http.js';
export { SIM_CONTROL_PREFIX, type SimControlErrorBody, type SimListenOptions } from './types.js';
