import { malformed } from './fail.js';
import type { PlistDict, PlistValue } from './plist-types.js';

/**
 * The device facts of a verified MachineInfo (Apple's `MachineInfo` dictionary). Keys the device
 * did not send are `undefined`; every key (known or not) is also in {@link MachineInfo.raw}.
 */
export interface MachineInfo {
  /** `UDID` (absent in account-driven enrollment). */
  readonly udid: string | undefined;
  /** `SERIAL` (absent in account-driven enrollment). */
  readonly serialNumber: string | undefined;
  /** `PRODUCT`, the model identifier, e.g. `iPhone15,2`, `Mac14,3`, `VirtualMac2,1`. */
  readonly product: string | undefined;
  /** `VERSION`: the OS **build**, e.g. `21E236`. */
  readonly build: string | undefined;
  /** `OS_VERSION`, e.g. `17.4.1` (iOS/tvOS 17+, macOS 14+, watchOS 10+ only). */
  readonly osVersion: string | undefined;
  /** `SUPPLEMENTAL_BUILD_VERSION`, e.g. `21E236a`. */
  readonly supplementalBuildVersion: string | undefined;
  /** `SUPPLEMENTAL_OS_VERSION_EXTRA`, e.g. `(a)`. */
  readonly supplementalOsVersionExtra: string | undefined;
  /** `LANGUAGE`, e.g. `en`. */
  readonly language: string | undefined;
  /** `IMEI` (may be an empty string). */
  readonly imei: string | undefined;
  /** `MEID` (may be an empty string). */
  readonly meid: string | undefined;
  /** `SOFTWARE_UPDATE_DEVICE_ID`, the model id for software-update catalogue lookups. */
  readonly softwareUpdateDeviceId: string | undefined;
  /** `PAIRING_TOKEN` (watchOS). */
  readonly pairingToken: Uint8Array | undefined;
  /** `MDM_CAN_REQUEST_SOFTWARE_UPDATE`: the device can handle a "software update required" answer. */
  readonly canRequestSoftwareUpdate: boolean;
  /** `MDM_CAN_REQUEST_PSSO_CONFIG`: the device can handle Platform SSO during enrollment (macOS 26+). */
  readonly canRequestPssoConfig: boolean;
  /** `MANDATORY_SOFTWARE_UPDATE_REQUIRED` (macOS 26.1+). */
  readonly mandatorySoftwareUpdateRequired: boolean;
  /** Every key of the signed dictionary, including unknown ones. */
  readonly raw: PlistDict;
}

const KNOWN_STRINGS = {
  udid: 'UDID',
  serialNumber: 'SERIAL',
  product: 'PRODUCT',
  build: 'VERSION',
  osVersion: 'OS_VERSION',
  supplementalBuildVersion: 'SUPPLEMENTAL_BUILD_VERSION',
  supplementalOsVersionExtra: 'SUPPLEMENTAL_OS_VERSION_EXTRA',
  language: 'LANGUAGE',
  imei: 'IMEI',
  meid: 'MEID',
  softwareUpdateDeviceId: 'SOFTWARE_UPDATE_DEVICE_ID',
} as const;

function isDict(v: PlistValue): v is PlistDict {
  return (
    typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array)
  );
}

function str(raw: PlistDict, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') malformed(`MachineInfo key ${key} must be a string.`, 'plist');
  return v;
}

function flag(raw: PlistDict, key: string): boolean {
  const v = raw[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') malformed(`MachineInfo key ${key} must be a boolean.`, 'plist');
  return v;
}

/** Maps the signed plist to a {@link MachineInfo}. @internal */
export function toMachineInfo(value: PlistValue): MachineInfo {
  if (!isDict(value)) malformed('The signed MachineInfo is not a dictionary.', 'plist');
  const strings = Object.fromEntries(
    Object.entries(KNOWN_STRINGS).map(([field, key]) => [field, str(value, key)]),
  ) as { [K in keyof typeof KNOWN_STRINGS]: string | undefined };
  const token = value['PAIRING_TOKEN'];
  if (token !== undefined && !(token instanceof Uint8Array)) {
    malformed('MachineInfo key PAIRING_TOKEN must be data.', 'plist');
  }
  return Object.freeze({
    ...strings,
    pairingToken: token,
    canRequestSoftwareUpdate: flag(value, 'MDM_CAN_REQUEST_SOFTWARE_UPDATE'),
    canRequestPssoConfig: flag(value, 'MDM_CAN_REQUEST_PSSO_CONFIG'),
    mandatorySoftwareUpdateRequired: flag(value, 'MANDATORY_SOFTWARE_UPDATE_REQUIRED'),
    raw: value,
  });
}
