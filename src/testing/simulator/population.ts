/**
 * Generates device `i` of a population from `(seed, i)` alone, so that a population of any size
 * costs no memory until a device changes.
 *
 * @internal
 * @module
 */
import {
  APPLE_OUIS,
  CATALOG,
  type CatalogModel,
  DEFAULT_PLATFORM_WEIGHTS,
  PLATFORM_IDENTITY,
  REGIONS,
} from './catalog.js';
import { hash2, Rng } from './random.js';
import { SerialCodec } from './serials.js';
import type { SimDevice, SimPlatform } from './types.js';

const DAY_MS = 86_400_000;

let cachedDay = Number.NaN;
let cachedDayText = '';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * @internal ISO 8601 UTC without fractional seconds, as Apple writes device dates. Hot path of
 * page generation: the date part is cached (consecutive devices share days).
 */
export function isoSeconds(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const day = Math.floor(seconds / 86_400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayText = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const rest = seconds - day * 86_400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  return `${cachedDayText}${pad2(h)}:${pad2(m)}:${pad2(rest % 60)}Z`;
}

/** @internal Settings of a population. */
export interface PopulationSettings {
  seed: number;
  size: number;
  end: number;
  spanDays: number;
  weights: Record<SimPlatform, number>;
  admins: readonly string[];
}

function mac(rng: Rng): string {
  const tail = (rng.int(0x1000000) + 0x1000000).toString(16);
  return `${rng.pick(APPLE_OUIS)}:${tail.slice(1, 3)}:${tail.slice(3, 5)}:${tail.slice(5, 7)}`;
}

/** `n` random decimal digits, drawn nine at a time. */
function digits(rng: Rng, n: number): string {
  let out = '';
  while (out.length < n) out += String(rng.int(1_000_000_000) + 1_000_000_000).slice(1);
  return out.length === n ? out : out.slice(0, n);
}

/** IMEI: 14 digits plus a Luhn check digit. */
function imei(rng: Rng): string {
  const body = `35${digits(rng, 12)}`;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = body.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

function description(
  model: CatalogModel,
  platform: SimPlatform,
  color: string,
  gb: number,
  region: string,
): string {
  const capacity = gb >= 1024 ? `${gb / 1024}TB` : `${gb}GB`;
  if (platform === 'Mac') return `${model.stem} ${color}/${capacity}-${region}`;
  if (platform === 'iPad') return `${model.stem} ${capacity} ${color}-${region}`;
  if (platform === 'AppleTV' || platform === 'Vision') return `${model.stem} ${capacity}-${region}`;
  return `${model.stem} ${color} ${capacity}-${region}`;
}

/** @internal Deterministic device generator for one seed. */
export class Population {
  readonly settings: PopulationSettings;
  readonly codec: SerialCodec;
  readonly #platforms: SimPlatform[];
  readonly #cumulative: number[];
  readonly #total: number;

  constructor(settings: PopulationSettings) {
    this.settings = settings;
    this.codec = new SerialCodec(settings.seed);
    this.#platforms = [];
    this.#cumulative = [];
    let total = 0;
    for (const platform of Object.keys(DEFAULT_PLATFORM_WEIGHTS) as SimPlatform[]) {
      const weight = Math.max(0, settings.weights[platform] ?? 0);
      if (weight <= 0) continue;
      total += weight;
      this.#platforms.push(platform);
      this.#cumulative.push(total);
    }
    if (total === 0) {
      this.#platforms.push('iPhone');
      this.#cumulative.push(1);
      total = 1;
    }
    this.#total = total;
  }

  /** Platform of slot `index`. */
  platformOf(index: number): SimPlatform {
    const r = (hash2(this.settings.seed ^ 0x9a7f, index) / 4294967296) * this.#total;
    for (let i = 0; i < this.#cumulative.length; i++) {
      if (r < (this.#cumulative[i] ?? 0)) return this.#platforms[i] ?? 'iPhone';
    }
    return this.#platforms[this.#platforms.length - 1] ?? 'iPhone';
  }

  /** Catalog model of slot `index` (the serial's suffix depends on it). */
  modelOf(index: number, platform: SimPlatform): CatalogModel {
    const models = CATALOG[platform];
    return models[hash2(this.settings.seed ^ 0x30de1, index) % models.length] as CatalogModel;
  }

  /** Serial of slot `index`. */
  serialOf(index: number): string {
    const platform = this.platformOf(index);
    return this.codec.serialFor(index, this.modelOf(index, platform).code);
  }

  /** Date the generated device `index` was assigned to the server: increasing with `index`. */
  assignedAt(index: number): number {
    const { size, end, spanDays } = this.settings;
    const span = spanDays * DAY_MS;
    const step = span / Math.max(1, size);
    const jitter = (hash2(this.settings.seed ^ 0xda7e, index) / 4294967296) * step * 0.9;
    return end - span + index * step + jitter;
  }

  /**
   * Builds the device in slot `index`.
   * @param assignedAt - overrides the assignment date (devices added later).
   * @param platform - overrides the platform (devices added later).
   */
  generate(index: number, assignedAt?: number, platform?: SimPlatform): SimDevice {
    const rng = new Rng(hash2(this.settings.seed, index));
    const plat = platform ?? this.platformOf(index);
    const identity = PLATFORM_IDENTITY[plat];
    const model = this.modelOf(index, plat);
    const color = rng.pick(model.colors);
    const gb = rng.pick(model.capacities);
    const region = rng.pick(REGIONS);
    const device: SimDevice = {
      serial_number: this.codec.serialFor(index, model.code),
      model: model.model,
      description: description(model, plat, color, gb, region),
      color,
      profile_status: 'empty',
      device_assigned_date: isoSeconds(assignedAt ?? this.assignedAt(index)),
      device_assigned_by: rng.pick(this.settings.admins),
      os: identity.os,
      device_family: identity.family,
    };
    if (rng.next() < 0.4) device.asset_tag = `AT-${digits(rng, 6)}`;
    device.wifi_mac_address = mac(rng);
    device.bluetooth_mac_address = mac(rng);
    if (model.ethernet) device.ethernet_mac_address = [mac(rng)];
    if (model.cellular) {
      const first = imei(rng);
      device.imei = rng.next() < 0.5 ? [first, imei(rng)] : [first];
      device.meid = [first.slice(0, 14)];
      device.eid = `890490320${digits(rng, 23)}`;
    }
    device.is_replacement_device = rng.next() < 0.01;
    return device;
  }
}
