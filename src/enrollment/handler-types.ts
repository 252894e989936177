import type { EnrollmentEventName, EnrollmentEventPayload } from '../manager/enrollment-events.js';
import type { DeviceLookup } from '../manager/types.js';
import type { MinimumOsTarget } from './minimum-os.js';
import type { VerifiedMachineInfo } from './parse-machine-info.js';
import type { EnrollmentProfile } from './profile-types.js';
import type { SignProfileOptions } from './sign-profile.js';

/** What the handler needs from an `AbmManager` (structural, so any compatible object works). */
export interface EnrollmentManagerPort {
  /** Routes a serial to its token, customer and site. */
  lookupDevice(serialNumber: string): Promise<DeviceLookup | null>;
  /** Records an enrollment event (a served profile is also recorded on the device). */
  recordEnrollmentEvent<K extends EnrollmentEventName>(
    name: K,
    payload: EnrollmentEventPayload,
  ): Promise<void>;
}

/** What `resolve` receives for one request. */
export interface EnrollmentContext {
  /** The verified MachineInfo. */
  readonly machineInfo: VerifiedMachineInfo;
  /** Where it came from: the POST body or the `x-apple-aspen-deviceinfo` header (web view). */
  readonly source: 'body' | 'header';
  /** With a manager: the device's token, customer and site (`null`: no token knows the serial). */
  readonly device: DeviceLookup | null;
  /** The `Authorization: Bearer` token of a Platform SSO / account-driven retry, if any. */
  readonly bearerToken: string | undefined;
  /** The request (headers, URL). Its body was already read. */
  readonly request: Request;
}

/** The answer `resolve` chooses. */
export type EnrollmentDecision =
  | {
      /** Serve this enrollment profile (signed with `sign` when given and not already signed). */
      readonly kind: 'profile';
      /** The profile: built by `buildEnrollmentProfile`, or bytes/text of your own. */
      readonly profile: EnrollmentProfile | Uint8Array | string;
      /** The bytes are already CMS-signed: do not sign again. */
      readonly signed?: boolean | undefined;
    }
  | {
      /** Answer Apple's "software update required" (only if the device and platform support it). */
      readonly kind: 'software-update';
      /** The OS version (and optional build) to reach. */
      readonly target: MinimumOsTarget;
    }
  | {
      /** Refuse enrollment. */
      readonly kind: 'refuse';
      /** HTTP status. @default 403 */
      readonly status?: number | undefined;
      /** A short reason (logged in the event; sent as the body). */
      readonly reason?: string | undefined;
    }
  | {
      /** Send this response as is (e.g. Apple's `com.apple.psso.required` 403 or a 401 challenge). */
      readonly kind: 'response';
      /** The response. */
      readonly response: Response;
    };

/** Per-platform minimum OS versions, or a resolver callback (no network lookups by abmkit). */
export type MinimumOsOption =
  | Partial<Record<'ios' | 'macos' | 'visionos', MinimumOsTarget | string>>
  | ((
      context: EnrollmentContext,
    ) => MinimumOsTarget | string | undefined | Promise<MinimumOsTarget | string | undefined>);

/** Options of {@link createEnrollmentHandler}. */
export interface EnrollmentHandlerOptions {
  /** Chooses the answer for a verified device. */
  resolve: (context: EnrollmentContext) => EnrollmentDecision | Promise<EnrollmentDecision>;
  /** An `AbmManager`: routes devices to tenants, records served profiles, emits `enrollment.*` events. */
  manager?: EnrollmentManagerPort | undefined;
  /** Trust anchors for {@link parseMachineInfo} (default: Apple's pinned device CA). */
  trustAnchors?: readonly string[] | undefined;
  /** Minimum OS, checked before `resolve`. */
  minimumOs?: MinimumOsOption | undefined;
  /** Message shown on the device with the software-update answer. */
  softwareUpdateMessage?: string | undefined;
  /** Sign served profiles with this certificate and key. */
  sign?: SignProfileOptions | undefined;
  /** Called with unexpected errors (from `resolve`, the manager, signing); the device gets a 503. */
  onError?: ((error: unknown) => void) | undefined;
}
