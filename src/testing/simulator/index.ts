/**
 * The ADE simulator: `createDepSimulator` and its types.
 *
 * @module
 */
export { createDepSimulator, type DepSimulator, type SimResetOptions } from './create-simulator.js';
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
  SimErrorBodyStyle,
  SimFault,
  SimFaults,
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
