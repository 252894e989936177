/** An organisation device (`orgDevices`), flattened to `{ id, ...attributes }`. `id` is the serial number. */
export interface OrgDevice {
  /** Resource id: the serial number. */
  id: string;
  /** Serial number. */
  serialNumber?: string;
  /** Marketing model, e.g. `iPhone 16`. */
  deviceModel?: string;
  /** Product family, e.g. `iPhone`, `iPad`, `Mac`. */
  productFamily?: string;
  /** Product type, e.g. `iPhone17,3`. */
  productType?: string;
  /** `ASSIGNED` or `UNASSIGNED` (the full set is unconfirmed). */
  status?: string;
  /** When the device joined the organisation. */
  addedToOrgDateTime?: string;
  /** When it was released, if it was. */
  releasedFromOrgDateTime?: string | null;
  /** Last change. */
  updatedDateTime?: string;
  /** Other attributes Apple sends. */
  [attribute: string]: unknown;
}

/** A device management service (`mdmServers`), flattened to `{ id, ...attributes }`. */
export interface MdmServer {
  /** Resource id (32 upper-case hex characters in Apple's examples). */
  id: string;
  /** Name shown in Apple Business Manager. */
  serverName?: string;
  /** `MDM`, `APPLE_CONFIGURATOR`, … */
  serverType?: string;
  /** Product families assigned to this server by default (Automatic Assignment), e.g. `['IPHONE', 'IPAD']`. */
  defaultProductFamilies?: string[];
  /** Other attributes Apple sends. */
  [attribute: string]: unknown;
}

/** AppleCare coverage of a device, flattened. */
export interface AppleCareCoverage {
  /** Resource id. */
  id: string;
  /** Other attributes Apple sends (description, status, dates…). */
  [attribute: string]: unknown;
}

/** `activityType` of an org-device activity. */
export type OrgDeviceActivityType =
  | 'ASSIGN_DEVICES'
  | 'UNASSIGN_DEVICES'
  | 'RELEASE_DEVICES'
  | 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE'
  | 'UPDATE_MDM_MIGRATION_DEADLINE'
  | 'CANCEL_MDM_MIGRATION';

/** Status of an activity: `IN_PROGRESS` until one of the three terminal values. */
export type OrgDeviceActivityStatus =
  | 'IN_PROGRESS'
  | 'COMPLETED'
  | 'FAILED'
  | 'STOPPED'
  | (string & {});

/** An org-device activity (`orgDeviceActivities`), flattened. */
export interface OrgDeviceActivity {
  /** Activity id. */
  id: string;
  /** Current status. */
  status?: OrgDeviceActivityStatus;
  /** Sub-status, e.g. `COMPLETED_WITH_SUCCESS` (full list unconfirmed). */
  subStatus?: string;
  /** When it was created. */
  createdDateTime?: string;
  /** When it finished. */
  completedDateTime?: string | null;
  /** The activity log, once available. */
  downloadUrl?: string | null;
  /** Other attributes Apple sends. */
  [attribute: string]: unknown;
}

/** One serial's line of an activity log. */
export interface ActivityLogEntry {
  /** Serial number. */
  serialNumber: string;
  /** Whether it succeeded. */
  ok: boolean;
  /** Status or reason as the log words it. */
  status: string;
  /** Failure reason, when given. */
  reason?: string;
}

/** An activity log: per-serial outcomes where the format allows, the raw text always. */
export interface ActivityLog {
  /** The log as downloaded (bounded). */
  raw: string;
  /** Per-serial lines, or `undefined` when the format was not recognised. */
  entries: ActivityLogEntry[] | undefined;
}
