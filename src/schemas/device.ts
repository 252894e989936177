import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type { adeDeviceSchema } from './index.js';
import { type OpenUnion, openEnum } from './open-enum.js';

/** Known `profile_status` values. Apple may add more; the type stays open. */
export const PROFILE_STATUSES = ['empty', 'assigned', 'pushed', 'removed'] as const;
/** A device's enrollment-profile status: `empty`, `assigned`, `pushed`, `removed`, or a newer value. */
export type ProfileStatus = OpenUnion<(typeof PROFILE_STATUSES)[number]>;

/** Known `os` values (protocol ≥ 2; `iPadOS` from protocol 7). */
export const ADE_DEVICE_OS_VALUES = ['iOS', 'iPadOS', 'OSX', 'tvOS', 'visionOS'] as const;
/** A device's operating system as Apple names it. */
export type AdeDeviceOs = OpenUnion<(typeof ADE_DEVICE_OS_VALUES)[number]>;

/** Known `device_family` values (protocol ≥ 2). */
export const DEVICE_FAMILIES = ['iPad', 'iPhone', 'iPod', 'Mac', 'AppleTV', 'Vision'] as const;
/** A device family as Apple names it. */
export type DeviceFamily = OpenUnion<(typeof DEVICE_FAMILIES)[number]>;

/** Known `op_type` values on sync pages. Fetch pages carry none. */
export const OP_TYPES = ['added', 'modified', 'deleted'] as const;
/** What happened to a device since the sync cursor: `added`, `modified`, `deleted`, or a newer value. */
export type OpType = OpenUnion<(typeof OP_TYPES)[number]>;

/** Known per-device result strings in details / disown / remove / define responses. */
export const DEVICE_RESPONSE_STATUSES = ['SUCCESS', 'NOT_ACCESSIBLE', 'FAILED'] as const;
/** A per-device result string. */
export type DeviceResponseStatus = OpenUnion<(typeof DEVICE_RESPONSE_STATUSES)[number]>;

/**
 * One ADE device record, with Apple's field names (see Apple's "Device" object). Only
 * `serial_number` is required; every other field is optional (and may be `null`), because fetch,
 * sync and details responses each carry a different subset, and older protocol versions omit the
 * newer fields. Unknown fields are kept. Built on first use (see `abmkit/schemas` for the schema
 * itself). @internal
 */
export const getAdeDeviceSchema = lazy((z) => {
  const str = z.string().nullish();
  const bool = z.boolean().nullish();
  const strList = z.array(z.string()).nullish();
  return z.looseObject({
    /** The serial number: the key everywhere. */
    serial_number: z.string(),
    /** Model name, e.g. `MacBook Pro`. */
    model: str,
    /** Description, e.g. `MBP 13.3 SPACE GRAY/2.0GHZ/8GB/256GB-USA`. */
    description: str,
    /** Colour, e.g. `SPACE GRAY`. */
    color: str,
    /** Asset tag, if the organisation set one. */
    asset_tag: str,
    /** Enrollment-profile status. */
    profile_status: openEnum(PROFILE_STATUSES).nullish(),
    /** UUID of the assigned profile. */
    profile_uuid: str,
    /** When a profile was assigned (ISO 8601). */
    profile_assign_time: str,
    /** When the device fetched the profile (ISO 8601). */
    profile_push_time: str,
    /** When the device was assigned to this MDM server (ISO 8601). */
    device_assigned_date: str,
    /** Email of whoever assigned the device. */
    device_assigned_by: str,
    /** Operating system (protocol ≥ 2). */
    os: openEnum(ADE_DEVICE_OS_VALUES).nullish(),
    /** Device family (protocol ≥ 2). */
    device_family: openEnum(DEVICE_FAMILIES).nullish(),
    /** Sync pages only: what happened. */
    op_type: openEnum(OP_TYPES).nullish(),
    /** Sync pages only: when it happened (ISO 8601). */
    op_date: str,
    /** Details responses only: per-device result. */
    response_status: openEnum(DEVICE_RESPONSE_STATUSES).nullish(),
    /** MDM migration deadline (protocol ≥ 8, ISO 8601). */
    mdm_migration_deadline: str,
    /** eSIM EID (protocol ≥ 10). */
    eid: str,
    /** Wi-Fi MAC address (protocol ≥ 10). */
    wifi_mac_address: str,
    /** Bluetooth MAC address (protocol ≥ 10). */
    bluetooth_mac_address: str,
    /** Ethernet MAC address(es) (protocol ≥ 10); Apple documents a list, a single string is accepted. */
    ethernet_mac_address: z.union([z.string(), z.array(z.string())]).nullish(),
    /** IMEIs (protocol ≥ 10). */
    imei: strList,
    /** MEIDs (protocol ≥ 10). */
    meid: strList,
    /** Whether this device replaced another one under AppleCare (protocol ≥ 10). */
    is_replacement_device: bool,
    /** Sync `deleted` records only: the device left because a replacement took its place (protocol ≥ 10). */
    released_by_replacement: bool,
  });
});

/** One ADE device record (inferred from {@link adeDeviceSchema}); keeps unknown fields. */
export type AdeDevice = z.infer<typeof adeDeviceSchema>;
