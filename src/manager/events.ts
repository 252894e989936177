import type { AbmLogger } from '../internal/logger.js';
import type { AdeDevice } from '../schemas/device.js';
import type { LeaseGrant } from '../storage/types.js';
import type { ApiAccountHealthEvent } from './business-api.js';
import type { EnrollmentEventPayload } from './enrollment-events.js';
import type { SyncReport, TokenHealthReport } from './types.js';

/** Payload of `device.added`, `device.modified` and `device.removed`. */
export interface DeviceEvent {
  /** The token the device came through. */
  tokenId: string;
  /** The serial number. */
  serialNumber: string;
  /** Apple's record as applied (for `device.removed` after a full fetch: the last one stored). */
  device: AdeDevice | null;
}

/** Payload of `device.unassigned`: the policy gives the device no profile. */
export interface DeviceUnassignedEvent {
  /** The token. */
  tokenId: string;
  /** The serial number. */
  serialNumber: string;
  /** Why, in words an admin can act on. */
  reason: string;
}

/** Payload of `profile.assigned`, `profile.failed` and `profile.throttled` (one per batch and outcome). */
export interface ProfileEvent {
  /** The token. */
  tokenId: string;
  /** The profile being assigned. */
  profileUuid: string;
  /** The serials with this outcome. */
  serials: string[];
  /** Apple's per-serial status (`SUCCESS`, `FAILED`, `THROTTLED`, `NOT_ACCESSIBLE`). */
  status: 'SUCCESS' | 'FAILED' | 'THROTTLED' | 'NOT_ACCESSIBLE';
  /** When the serials are tried again, or `null` (success, or `NOT_ACCESSIBLE`: never). */
  retryAt: string | null;
}

/** Payload of the `token.*` events: the token's health at the transition. */
export interface TokenEvent {
  /** The token. */
  tokenId: string;
  /** Its health. */
  health: TokenHealthReport;
}

/** Payload of `sync.started`. */
export interface SyncStartedEvent {
  /** The token. */
  tokenId: string;
  /** The run id. */
  runId: string;
  /** Whether the run starts (or resumes) a full fetch. */
  fullFetch: boolean;
}

/** Payload of `sync.completed` and `sync.failed`. */
export interface SyncEndedEvent {
  /** The token. */
  tokenId: string;
  /** The run's report (`error` set for `sync.failed`). */
  report: SyncReport;
}

/** Payload of `sync.progress`, after each applied page. */
export interface SyncProgressEvent {
  /** The token. */
  tokenId: string;
  /** Pages applied so far in this run. */
  pages: number;
  /** Distinct devices (serial numbers) received so far in this run. */
  devices: number;
  /**
   * Device records received so far (a device Apple reports twice, e.g. `modified` after an
   * assignment, counts twice here and once in `devices`).
   */
  records: number;
  /**
   * Devices a full fetch is expected to deliver: the live devices the token held when the run
   * started; `null` when unknown (first sync) or when only changes are read.
   */
  expectedTotal: number | null;
  /** Whether more pages follow. */
  moreToFollow: boolean;
  /** The phase of the page. */
  phase: 'full' | 'sync';
}

/** Payload of `lease.acquired` and `lease.lost`. */
export interface LeaseEvent {
  /** The token. */
  tokenId: string;
  /** The lease (owner, fencing generation, expiry). */
  lease: LeaseGrant;
}

/**
 * Every event of {@link AbmManager} and its payload. Names are dotted strings; listeners are
 * typed by name: `manager.on('device.added', (e) => e.serialNumber)`.
 */
export interface AbmManagerEvents {
  /** A device new to the token (also one that moved in as `modified`). */
  'device.added': DeviceEvent;
  /** A known device whose record changed. */
  'device.modified': DeviceEvent;
  /** ABM no longer assigns the device to this server (record kept, marked removed). */
  'device.removed': DeviceEvent;
  /** The policy gives the device no profile. */
  'device.unassigned': DeviceUnassignedEvent;
  /** Apple assigned the profile. */
  'profile.assigned': ProfileEvent;
  /** Apple refused (`FAILED`, retried after a cool-down) or cannot reach (`NOT_ACCESSIBLE`) the serials. */
  'profile.failed': ProfileEvent;
  /** Apple throttled the serials; they are retried after its delay. */
  'profile.throttled': ProfileEvent;
  /** The token entered its renewal window (once per transition). */
  'token.renew-soon': TokenEvent;
  /** The token expired: sync and assignment stop until a new token is uploaded. */
  'token.expired': TokenEvent;
  /** Apple's new terms must be accepted in ABM: sync and assignment stop until then. */
  'token.terms-not-signed': TokenEvent;
  /** Apple rejected the token (revoked or replaced): upload a new one. */
  'token.rejected': TokenEvent;
  /** The token is healthy again after one of the states above. */
  'token.valid': TokenEvent;
  /** A sync run started (the lease is held). */
  'sync.started': SyncStartedEvent;
  /** A page was applied. */
  'sync.progress': SyncProgressEvent;
  /** A sync run completed. */
  'sync.completed': SyncEndedEvent;
  /** A sync run failed or was aborted. */
  'sync.failed': SyncEndedEvent;
  /** This process took a token's sync lease. */
  'lease.acquired': LeaseEvent;
  /** This process lost a token's lease mid-run (expired or taken over): the run stopped. */
  'lease.lost': LeaseEvent;
  /** A device's verified MachineInfo reached the enrollment endpoint. */
  'enrollment.requested': EnrollmentEventPayload;
  /** The device was told to update its OS first (`com.apple.softwareupdate.required`). */
  'enrollment.software-update-required': EnrollmentEventPayload;
  /** The enrollment profile was served (recorded on the device: status `profile-served`). */
  'enrollment.profile-served': EnrollmentEventPayload;
  /** The endpoint refused the device. */
  'enrollment.refused': EnrollmentEventPayload;
  /** A Business API account's health changed (key revoked, scope wrong, valid again). */
  'apiAccount.health': ApiAccountHealthEvent;
}

/** A name of {@link AbmManagerEvents}. */
export type AbmManagerEventName = keyof AbmManagerEvents;

/** A listener of event `K`. */
export type AbmManagerListener<K extends AbmManagerEventName> = (
  payload: AbmManagerEvents[K],
) => void | Promise<void>;

type AnyListener = (payload: never) => void | Promise<void>;

/**
 * A small typed event hub. Listener errors (thrown or rejected) are logged and never break a
 * sync run.
 * @internal
 */
export class EventHub {
  readonly #listeners = new Map<string, Set<AnyListener>>();
  readonly #logger: AbmLogger;

  constructor(logger: AbmLogger) {
    this.#logger = logger;
  }

  on<K extends AbmManagerEventName>(name: K, listener: AbmManagerListener<K>): void {
    let set = this.#listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as AnyListener);
  }

  off<K extends AbmManagerEventName>(name: K, listener: AbmManagerListener<K>): void {
    this.#listeners.get(name)?.delete(listener as AnyListener);
  }

  /** Whether anyone listens (so that callers skip building payloads). */
  has(name: AbmManagerEventName): boolean {
    return (this.#listeners.get(name)?.size ?? 0) > 0;
  }

  emit<K extends AbmManagerEventName>(name: K, payload: AbmManagerEvents[K]): void {
    const set = this.#listeners.get(name);
    if (set === undefined || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        const result = (listener as AbmManagerListener<K>)(payload);
        if (result !== undefined && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((error: unknown) => this.#failed(name, error));
        }
      } catch (error) {
        this.#failed(name, error);
      }
    }
  }

  #failed(name: string, error: unknown): void {
    this.#logger.warn({ event: name, err: error }, 'abmkit: an event listener threw; ignored');
  }
}
