/**
 * The ADE simulator: `createDepSimulator` and its types.
 *
 * @module
 */

export type { SimActivateOptions, SimActivation, SimActivationStep } from './activate.js';
export type {
  SimApiAccount,
  SimApiAccountOptions,
  SimBusinessApi,
  SimOrgDeviceState,
} from './business-api/control.js';
export {
  handleSimControl,
  SIM_CONTROL_PREFIX,
  type SimControlErrorBody,
  type SimControlServer,
  type SimControlServerOptions,
  type SimListenOptions,
  startSimulatorControl,
} from './control/index.js';
export { createDepSimulator, type DepSimulator, type SimResetOptions } from './create-simulator.js';
export { SIMULATOR_DEVICE_CA_PEM } from './device-ca.js';
export { APPLE_ADE_BASE_URL, depSimulatorHandlers, type SimRequestHandler } from './msw.js';
export type { MswHandler } from './msw-handler.js';
export type {
  DepEndpoint,
  DepSimulatorOptions,
  IssuedServerToken,
  IssueServerTokenOptions,
  SimAccount,
  SimAccountDetail,
  SimAssignOutcome,
  SimClock,
  SimCounters,
  SimDevice,
  SimDeviceInput,
  SimDevicePatch,
  SimDeviceStats,
  SimDevices,
  SimEndpoint,
  SimErrorBodyStyle,
  SimFault,
  SimFaults,
  SimIssuedServerToken,
  SimIssueServerTokenOptions,
  SimLimitOptions,
  SimPlatform,
  SimProfile,
  SimProfiles,
  SimRequest,
  SimRequestLogEntry,
  SimResponse,
  SimSessionOptions,
  SimSessions,
  SimThrottleOptions,
  SimTokenCredentials,
  SimTokenOptions,
  SimTokens,
} from './types.js';
