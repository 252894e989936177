import type { MachineInfo } from './machine-info.js';

/** One relative distinguished name entry, e.g. `['CN', 'C02XK1JQJG5H']` or `['O', 'Acme']`. */
export type SubjectEntry = readonly [string, string];

/** A per-device value: fixed, or computed from the device's MachineInfo. */
export type PerDevice<T> = T | ((device: MachineInfo | undefined) => T | Promise<T>);

/** ACME identity (`com.apple.security.acme`, iOS 16+/macOS 13.1+): Apple's preferred choice. */
export interface AcmeIdentity {
  /** Identity kind. */
  type: 'acme';
  /** The ACME directory URL. */
  directoryUrl: string;
  /** `ClientIdentifier`. Default: the device's serial number (renewals do not substitute variables). */
  clientIdentifier?: PerDevice<string> | undefined;
  /** @default 'ECSECPrimeRandom' */
  keyType?: 'RSA' | 'ECSECPrimeRandom' | undefined;
  /** @default 384 */
  keySize?: number | undefined;
  /** @default true (requires ECSECPrimeRandom 256/384) */
  hardwareBound?: boolean | undefined;
  /** Device attestation (`device-attest-01`); requires `hardwareBound`. @default true */
  attest?: boolean | undefined;
  /** Certificate subject. Default: `CN=<serial>`. */
  subject?: PerDevice<readonly SubjectEntry[]> | undefined;
}

/** SCEP identity (`com.apple.security.scep`). */
export interface ScepIdentity {
  /** Identity kind. */
  type: 'scep';
  /** The SCEP server URL. */
  url: string;
  /** The challenge, fixed or from a callback (e.g. a one-time challenge per device). */
  challenge?: PerDevice<string> | undefined;
  /** The CA name (`Name`). */
  name?: string | undefined;
  /** Certificate subject. Default: `CN=<serial>`. */
  subject?: PerDevice<readonly SubjectEntry[]> | undefined;
  /** @default 2048 */
  keysize?: number | undefined;
  /** `Key Usage` bitmask (1 signing, 4 encryption). @default 5 */
  keyUsage?: number | undefined;
  /** SHA-1/SHA-256 fingerprint of the CA certificate. */
  caFingerprint?: Uint8Array | undefined;
  /** Retries on a pending answer. */
  retries?: number | undefined;
  /** Seconds between retries. */
  retryDelay?: number | undefined;
}

/** PKCS#12 identity (`com.apple.security.pkcs12`). The password ends up inside the profile. */
export interface Pkcs12Identity {
  /** Identity kind. */
  type: 'pkcs12';
  /** The `.p12` bytes. */
  data: Uint8Array;
  /** Its password. */
  password?: string | undefined;
}

/** The identity payload of an enrollment profile. */
export type EnrollmentIdentity = AcmeIdentity | ScepIdentity | Pkcs12Identity;

/** The `com.apple.mdm` payload. */
export interface MdmPayloadOptions {
  /** `ServerURL` (https). */
  serverUrl: string;
  /** `CheckInURL` (defaults to the server URL on the device). */
  checkInUrl?: string | undefined;
  /** `Topic`: the APNs certificate's topic, `com.apple.mgmt.…`. */
  topic: string;
  /** `AccessRights` bitmask. @default 8191 (all) */
  accessRights?: number | undefined;
  /** `SignMessage`. @default true */
  signMessage?: boolean | undefined;
  /** `CheckOutWhenRemoved`. @default true */
  checkOutWhenRemoved?: boolean | undefined;
  /**
   * `ServerCapabilities`.
   * @default ['com.apple.mdm.per-user-connections', 'com.apple.mdm.bootstraptoken']
   */
  serverCapabilities?: readonly string[] | undefined;
}

/** Options of {@link buildEnrollmentProfile}. */
export interface EnrollmentProfileOptions {
  /**
   * Reverse-DNS base of every `PayloadIdentifier`, e.g. `com.acme.mdm.enroll`. Identifiers are
   * stable (derived from it) so that a re-enrollment replaces the profile; UUIDs are fresh.
   */
  identifier: string;
  /** `PayloadDisplayName`. @default 'MDM Enrollment' */
  displayName?: string | undefined;
  /** `PayloadOrganization`. */
  organization?: string | undefined;
  /** `PayloadDescription`. */
  description?: string | undefined;
  /** The MDM payload. */
  mdm: MdmPayloadOptions;
  /** The identity payload. */
  identity: EnrollmentIdentity;
  /** PEM certificates to install as trust anchors (installed before the MDM payload). */
  anchorCertificates?: readonly string[] | undefined;
  /** The enrolling device (per-device values: serial as ACME client identifier, subject, …). */
  device?: MachineInfo | undefined;
  /** UUID source (tests). @default crypto.randomUUID */
  uuid?: (() => string) | undefined;
}

/** A built enrollment profile. */
export interface EnrollmentProfile {
  /** The `.mobileconfig` XML plist. */
  readonly xml: string;
  /** The same as UTF-8 bytes (what to sign or serve). */
  readonly bytes: Uint8Array;
  /** The top-level `PayloadUUID`. */
  readonly payloadUuid: string;
  /** The identity payload's UUID (= the MDM payload's `IdentityCertificateUUID`). */
  readonly identityPayloadUuid: string;
}
