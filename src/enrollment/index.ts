/**
 * `abmkit/enrollment`: the enrollment endpoint kit. Verify a device's signed MachineInfo, route it
 * to its tenant, enforce a minimum OS, and answer with the enrollment profile.
 *
 * @module
 */
export { MachineInfoInvalidError, MachineInfoUntrustedError } from '../errors/index.js';
export type { EnrollmentEventName, EnrollmentEventPayload } from '../manager/enrollment-events.js';
export { APPLE_IPHONE_DEVICE_CA_PEM } from './apple-device-ca.js';
export { buildEnrollmentProfile } from './build-profile.js';
export type { MachineInfoInput } from './decode-input.js';
export {
  createEnrollmentHandler,
  DEVICE_INFO_HEADER,
  ENROLLMENT_PROFILE_CONTENT_TYPE,
} from './handler.js';
export type {
  EnrollmentContext,
  EnrollmentDecision,
  EnrollmentHandlerOptions,
  EnrollmentManagerPort,
  MinimumOsOption,
} from './handler-types.js';
export type { MachineInfo } from './machine-info.js';
export {
  compareOsVersions,
  decideMinimumOs,
  deviceOsVersion,
  type EnrollmentPlatform,
  type MinimumOsDecision,
  type MinimumOsTarget,
  platformOf,
  softwareUpdateRequiredDocument,
} from './minimum-os.js';
export { type NodeListenerOptions, toNodeListener } from './node-adapter.js';
export {
  type MachineInfoSignature,
  type ParseMachineInfoOptions,
  parseMachineInfo,
  type VerifiedMachineInfo,
} from './parse-machine-info.js';
export type { PlistDict, PlistValue } from './plist-types.js';
export { writeXmlPlist } from './plist-write.js';
export type {
  AcmeIdentity,
  EnrollmentIdentity,
  EnrollmentProfile,
  EnrollmentProfileOptions,
  MdmPayloadOptions,
  PerDevice,
  Pkcs12Identity,
  ScepIdentity,
  SubjectEntry,
} from './profile-types.js';
export { type SignProfileOptions, signEnrollmentProfile } from './sign-profile.js';
