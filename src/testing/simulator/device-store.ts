/**
 * The device state of the simulator: the generated population plus the changes made to it, and
 * the log of sync events those changes produce. Only changed devices are held in memory.
 *
 * Slots: `0 … size-1` are the generated population (in `device_assigned_date` order), later
 * slots are devices added at run time. Fetch walks the slots in order, skipping removed ones.
 *
 * @internal
 * @module
 */
import { InvalidArgumentError } from '../../errors/index.js';
import { isoSeconds, type Population } from './population.js';
import { SerialCodec } from './serials.js';
import type { SimDevice, SimDeviceInput, SimDevicePatch, SimDeviceStats } from './types.js';

/** @internal One sync event. */
export interface SimEvent {
  serial: string;
  opType: 'added' | 'modified' | 'deleted';
  opDate: number;
  device: SimDevice;
  releasedByReplacement?: boolean;
}

/** @internal Replacement link for `GET /device/replacementDetails`. */
export interface ReplacementLink {
  original: string;
  date: number;
}

/** @internal A copy of `base` with `patch` applied; `undefined` removes a field, the serial is kept. */
export function applyPatch(base: SimDevice, patch: SimDevicePatch): SimDevice {
  const next = { ...base } as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'serial_number') continue;
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next as unknown as SimDevice;
}

/** @internal */
export class DeviceStore {
  readonly population: Population;
  /** Changed or added devices, by slot. */
  readonly #overrides = new Map<number, SimDevice>();
  /** Slots no longer assigned to the server. */
  readonly #removed = new Set<number>();
  /** Serial → slot for devices added at run time. */
  readonly #addedSerials = new Map<string, number>();
  #nextSlot: number;
  readonly events: SimEvent[] = [];
  /** New serial → replacement link. */
  readonly replacements = new Map<string, ReplacementLink>();

  constructor(population: Population) {
    this.population = population;
    this.#nextSlot = population.settings.size;
  }

  /** Number of slots (generated + added). */
  get slotCount(): number {
    return this.#nextSlot;
  }

  get count(): number {
    return this.#nextSlot - this.#removed.size;
  }

  stats(): SimDeviceStats {
    return {
      population: this.population.settings.size,
      added: this.#nextSlot - this.population.settings.size,
      removed: this.#removed.size,
      materialised: this.#overrides.size,
      materialized: this.#overrides.size,
      events: this.events.length,
    };
  }

  /** Slot of a serial (assigned or removed), or `undefined` if the simulator never knew it. */
  slotOf(serial: string): number | undefined {
    const added = this.#addedSerials.get(serial);
    if (added !== undefined) return added;
    const index = this.population.codec.indexOf(serial);
    if (index === undefined || index >= this.population.settings.size) return undefined;
    return this.population.serialOf(index) === serial ? index : undefined;
  }

  isPresent(slot: number): boolean {
    return slot < this.#nextSlot && !this.#removed.has(slot);
  }

  /** The device in a slot (present or not). */
  at(slot: number): SimDevice {
    return this.#overrides.get(slot) ?? this.population.generate(slot);
  }

  /** A device currently assigned to the server. */
  get(serial: string): SimDevice | undefined {
    const slot = this.slotOf(serial);
    return slot !== undefined && this.isPresent(slot) ? this.at(slot) : undefined;
  }

  /** First present slot at or after `slot`, or `slotCount`. */
  nextPresent(slot: number): number {
    let s = slot;
    while (s < this.#nextSlot && this.#removed.has(s)) s++;
    return s;
  }

  #record(
    slot: number,
    device: SimDevice,
    opType: SimEvent['opType'],
    now: number,
    extra?: Partial<SimEvent>,
  ): void {
    this.#overrides.set(slot, device);
    this.events.push({ serial: device.serial_number, opType, opDate: now, device, ...extra });
  }

  #requireSlot(serial: string): number {
    const slot = this.slotOf(serial);
    if (slot === undefined || !this.isPresent(slot)) {
      throw new InvalidArgumentError(
        `The simulator has no device ${JSON.stringify(serial)} assigned to this server; pick one from sim.devices.serials().`,
      );
    }
    return slot;
  }

  add(input: SimDeviceInput, now: number): SimDevice {
    const { platform, serial_number: serial, ...patch } = input;
    const assigned = patch.device_assigned_date ?? isoSeconds(now);
    if (serial !== undefined) {
      if (!/^[A-Z0-9]{8,14}$/.test(serial)) {
        throw new InvalidArgumentError('A simulated serial must have 8–14 characters A-Z and 0-9.');
      }
      const existing = this.slotOf(serial);
      if (existing !== undefined) {
        if (this.isPresent(existing)) {
          throw new InvalidArgumentError(
            `Device ${serial} is already assigned to this server; use sim.devices.modify().`,
          );
        }
        this.#removed.delete(existing);
        const back = applyPatch(this.at(existing), { ...patch, device_assigned_date: assigned });
        this.#record(existing, back, 'added', now);
        return back;
      }
    }
    if (this.#nextSlot >= SerialCodec.capacity / 2) {
      throw new InvalidArgumentError('The simulator cannot hold more devices.');
    }
    const slot = this.#nextSlot++;
    const generated = this.population.generate(slot, now, platform);
    const device = applyPatch(generated, { ...patch, device_assigned_date: assigned });
    if (serial !== undefined) device.serial_number = serial;
    this.#addedSerials.set(device.serial_number, slot);
    this.#record(slot, device, 'added', now);
    return device;
  }

  modify(serial: string, patch: SimDevicePatch, now: number): SimDevice {
    const slot = this.#requireSlot(serial);
    const next = applyPatch(this.at(slot), patch);
    this.#record(slot, next, 'modified', now);
    return next;
  }

  remove(serial: string, now: number, releasedByReplacement = false): void {
    const slot = this.#requireSlot(serial);
    const device = this.at(slot);
    this.#removed.add(slot);
    this.#record(
      slot,
      device,
      'deleted',
      now,
      releasedByReplacement ? { releasedByReplacement } : {},
    );
  }

  /** Replacement link of an assigned device, or `undefined` if it replaced nothing. */
  replacementOf(serial: string): ReplacementLink | undefined {
    const slot = this.slotOf(serial);
    if (slot === undefined || !this.isPresent(slot)) return undefined;
    const explicit = this.replacements.get(serial);
    if (explicit) return explicit;
    const device = this.at(slot);
    if (!device.is_replacement_device) return undefined;
    return { original: this.foreignSerial(slot), date: Date.parse(device.device_assigned_date) };
  }

  /** Serial of a device that never belonged to this server (replacement originals). */
  foreignSerial(index: number): string {
    return this.population.codec.serialFor(SerialCodec.capacity - 1 - index, 'F0RN');
  }
}
