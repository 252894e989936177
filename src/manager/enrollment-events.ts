/** Payload of the `enrollment.*` events (emitted by the `abmkit/enrollment` handler through the manager). */
export interface EnrollmentEventPayload {
  /** The device's token, when a token knows the serial. */
  tokenId: string | null;
  /** The token's customer. */
  customerId: string | null;
  /** The token's site. */
  siteId: string | null;
  /** The device's serial (absent in account-driven enrollment). */
  serialNumber: string | null;
  /** Model identifier from MachineInfo. */
  product: string | null;
  /** OS version from MachineInfo (with its supplemental letter). */
  osVersion: string | null;
  /** `enrollment.software-update-required`: the version asked for. */
  requiredOsVersion?: string | undefined;
  /** `enrollment.refused`: why. */
  reason?: string | undefined;
  /** `enrollment.refused`: the HTTP status sent. */
  status?: number | undefined;
}

/** Event names of the enrollment endpoint. */
export type EnrollmentEventName =
  | 'enrollment.requested'
  | 'enrollment.software-update-required'
  | 'enrollment.profile-served'
  | 'enrollment.refused';
