/**
 * State of the simulated Apple Business Manager REST API, kept beside an ADE simulator's state.
 *
 * @internal
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { SimState } from '../state.js';

/** @internal A registered API account. */
export interface ApiAccountRecord {
  clientId: string;
  keyId: string;
  publicKey: KeyObject;
  scope: string;
  revoked: boolean;
}

/** @internal An MDM server record. */
export interface ServerRecord {
  id: string;
  serverName: string;
  serverType: string;
  createdDateTime: string;
  updatedDateTime: string;
  defaultProductFamilies: string[];
  enableMdmDisownFlag: boolean;
}

/** @internal An org device not (currently) on the ADE simulator's server. */
export interface OffServerDevice {
  serverId: string | null;
  productFamily: string;
  addedToOrgDateTime: string;
}

/** @internal An org-device activity. */
export interface ActivityRecord {
  id: string;
  activityType: string;
  serverId: string | undefined;
  serials: string[];
  createdAt: number;
  completesAt: number;
  status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'STOPPED';
  subStatus: string;
  completedAt: number | undefined;
  log: string | undefined;
}

/** @internal */
export class BusinessState {
  readonly accounts = new Map<string, ApiAccountRecord>();
  readonly accessTokens = new Map<string, { clientId: string; expiresAt: number }>();
  generation = -1;
  servers = new Map<string, ServerRecord>();
  offServer = new Map<string, OffServerDevice>();
  released = new Set<string>();
  activities = new Map<string, ActivityRecord>();
  failSerials = new Map<string, string>();
  /** Generated unassigned org devices: serials `UA` + 8 base-36 digits, index below this. */
  unassignedPool = 0;
  activityLatencyMs = 5_000;
  tokenLifetimeS = 3600;
  nextId = 1;

  constructor(readonly sim: SimState) {}

  get adeServerId(): string {
    return this.sim.account.server_uuid.replace(/-/g, '').toUpperCase();
  }

  /** Brings the org data back to its initial state when the ADE simulator was reset. */
  sync(): void {
    if (this.generation === this.sim.generation) return;
    this.generation = this.sim.generation;
    const at = new Date(this.sim.now()).toISOString();
    this.servers = new Map([
      [
        this.adeServerId,
        {
          id: this.adeServerId,
          serverName: this.sim.account.server_name,
          serverType: 'MDM',
          createdDateTime: at,
          updatedDateTime: at,
          defaultProductFamilies: [],
          enableMdmDisownFlag: false,
        },
      ],
    ]);
    this.offServer = new Map();
    this.released = new Set();
    this.activities = new Map();
    this.failSerials = new Map();
    this.accessTokens.clear();
  }

  poolSerial(index: number): string {
    return `UA${index.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  /** Where a serial is: the server id, `null` (in the org, on no server), or `undefined` (unknown). */
  locate(serial: string): string | null | undefined {
    if (this.released.has(serial)) return undefined;
    const off = this.offServer.get(serial);
    if (off) return off.serverId;
    if (this.sim.devices.get(serial)) return this.adeServerId;
    const m = /^UA([0-9A-Z]{8})$/.exec(serial);
    if (m) {
      const index = Number.parseInt(m[1] ?? '', 36);
      if (index < this.unassignedPool && this.poolSerial(index) === serial) return null;
    }
    return undefined;
  }

  /** Moves a serial known to the org onto `target` (or off every server with `null`). */
  move(serial: string, target: string | null, now: number): void {
    const current = this.locate(serial);
    if (current === undefined || current === target) return;
    const ade = this.adeServerId;
    if (current === ade) {
      const device = this.sim.devices.get(serial);
      this.sim.devices.remove(serial, now);
      this.offServer.set(serial, {
        serverId: target,
        productFamily: familyOf(device?.model ?? ''),
        addedToOrgDateTime: new Date(now).toISOString(),
      });
      return;
    }
    const off = this.offServer.get(serial);
    if (target === ade) {
      this.offServer.delete(serial);
      this.sim.devices.add({ serial_number: serial }, now);
      return;
    }
    this.offServer.set(serial, {
      serverId: target,
      productFamily: off?.productFamily ?? 'iPhone',
      addedToOrgDateTime: off?.addedToOrgDateTime ?? new Date(now).toISOString(),
    });
  }

  release(serial: string, now: number): void {
    if (this.locate(serial) === this.adeServerId) this.sim.devices.remove(serial, now);
    this.offServer.delete(serial);
    this.released.add(serial);
  }

  newId(): string {
    return (this.nextId++).toString(16).toUpperCase().padStart(32, '0');
  }
}

/** @internal Apple-style product family from an ADE model string. */
export function familyOf(model: string): string {
  if (/ipad/i.test(model)) return 'iPad';
  if (/mac/i.test(model)) return 'Mac';
  if (/tv/i.test(model)) return 'AppleTV';
  if (/vision/i.test(model)) return 'AppleVisionPro';
  return 'iPhone';
}

const STATES = new WeakMap<SimState, BusinessState>();

/** @internal The business-API state of a simulator, created on first use. */
export function businessStateOf(sim: SimState): BusinessState {
  let state = STATES.get(sim);
  if (!state) {
    state = new BusinessState(sim);
    STATES.set(sim, state);
  }
  state.sync();
  return state;
}
