/**
 * A small catalog of current Apple hardware, used to generate realistic device records.
 * Descriptions follow the upper-case style ABM shows (e.g. `MBP 14 SPACE BLACK/M4 PRO/…-USA`).
 *
 * @internal
 * @module
 */
import type { SimPlatform } from './types.js';

/** @internal One model line of the catalog. */
export interface CatalogModel {
  /** `model` as ABM reports it. */
  model: string;
  /** Upper-case description stem; colour and capacity are appended. */
  stem: string;
  /** Possible colours. */
  colors: readonly string[];
  /** Possible storage capacities (GB). */
  capacities: readonly number[];
  /** 4-character model code used as the serial's suffix (alphabet of serials). */
  code: string;
  /** Whether the model has a cellular radio (IMEI/MEID/EID at protocol ≥ 10). */
  cellular?: boolean;
  /** Whether the model has an Ethernet port. */
  ethernet?: boolean;
}

/** @internal `os` and `device_family` of each platform. */
export const PLATFORM_IDENTITY: Record<SimPlatform, { os: string; family: string }> = {
  iPhone: { os: 'iOS', family: 'iPhone' },
  iPad: { os: 'iPadOS', family: 'iPad' },
  Mac: { os: 'OSX', family: 'Mac' },
  AppleTV: { os: 'tvOS', family: 'AppleTV' },
  Vision: { os: 'visionOS', family: 'Vision' },
  Watch: { os: 'watchOS', family: 'Watch' },
};

/** @internal Default platform mix (weights). Watches are off: Apple documents no ADE watch records. */
export const DEFAULT_PLATFORM_WEIGHTS: Record<SimPlatform, number> = {
  iPhone: 40,
  iPad: 25,
  Mac: 30,
  AppleTV: 4,
  Vision: 1,
  Watch: 0,
};

const TITANIUM = ['BLACK TITANIUM', 'WHITE TITANIUM', 'NATURAL TITANIUM', 'DESERT TITANIUM'];

/** @internal The catalog, per platform. */
export const CATALOG: Record<SimPlatform, readonly CatalogModel[]> = {
  iPhone: [
    {
      model: 'iPhone 13',
      stem: 'IPHONE 13',
      colors: ['MIDNIGHT', 'STARLIGHT', 'BLUE', 'PINK'],
      capacities: [128, 256],
      code: 'N6Y1',
      cellular: true,
    },
    {
      model: 'iPhone 14',
      stem: 'IPHONE 14',
      colors: ['MIDNIGHT', 'STARLIGHT', 'PURPLE', 'BLUE'],
      capacities: [128, 256],
      code: 'P7K2',
      cellular: true,
    },
    {
      model: 'iPhone 15',
      stem: 'IPHONE 15',
      colors: ['BLACK', 'BLUE', 'GREEN', 'YELLOW', 'PINK'],
      capacities: [128, 256, 512],
      code: 'Q0N3',
      cellular: true,
    },
    {
      model: 'iPhone 15 Pro',
      stem: 'IPHONE 15 PRO',
      colors: TITANIUM.slice(0, 3).concat('BLUE TITANIUM'),
      capacities: [128, 256, 512],
      code: 'Q1P4',
      cellular: true,
    },
    {
      model: 'iPhone 16',
      stem: 'IPHONE 16',
      colors: ['BLACK', 'WHITE', 'TEAL', 'ULTRAMARINE'],
      capacities: [128, 256],
      code: 'R2L5',
      cellular: true,
    },
    {
      model: 'iPhone 16 Pro',
      stem: 'IPHONE 16 PRO',
      colors: TITANIUM,
      capacities: [256, 512, 1024],
      code: 'R3M6',
      cellular: true,
    },
    {
      model: 'iPhone SE (3rd generation)',
      stem: 'IPHONE SE',
      colors: ['MIDNIGHT', 'STARLIGHT', '(PRODUCT)RED'],
      capacities: [64, 128],
      code: 'M9X7',
      cellular: true,
    },
  ],
  iPad: [
    {
      model: 'iPad (10th generation)',
      stem: 'IPAD WI-FI',
      colors: ['BLUE', 'PINK', 'SILVER', 'YELLOW'],
      capacities: [64, 256],
      code: 'MD8A',
    },
    {
      model: 'iPad (10th generation)',
      stem: 'IPAD WI-FI + CELLULAR',
      colors: ['BLUE', 'SILVER'],
      capacities: [64, 256],
      code: 'MD9B',
      cellular: true,
    },
    {
      model: 'iPad Air 11-inch (M2)',
      stem: 'IPAD AIR 11 WI-FI',
      colors: ['SPACE GRAY', 'STARLIGHT', 'PURPLE', 'BLUE'],
      capacities: [128, 256, 512],
      code: 'P2HC',
    },
    {
      model: 'iPad Pro 11-inch (M4)',
      stem: 'IPAD PRO 11 WI-FI',
      colors: ['SPACE BLACK', 'SILVER'],
      capacities: [256, 512, 1024],
      code: 'R4KD',
    },
    {
      model: 'iPad mini (A17 Pro)',
      stem: 'IPAD MINI WI-FI + CELLULAR',
      colors: ['SPACE GRAY', 'BLUE', 'PURPLE', 'STARLIGHT'],
      capacities: [128, 256],
      code: 'R5JE',
      cellular: true,
    },
  ],
  Mac: [
    {
      model: 'MacBook Air',
      stem: 'MBA 13.6',
      colors: ['MIDNIGHT', 'STARLIGHT', 'SPACE GRAY', 'SILVER'],
      capacities: [256, 512],
      code: 'Q6LF',
    },
    {
      model: 'MacBook Air',
      stem: 'MBA 15.3',
      colors: ['MIDNIGHT', 'SKY BLUE', 'SILVER'],
      capacities: [256, 512, 1024],
      code: 'R7LG',
    },
    {
      model: 'MacBook Pro',
      stem: 'MBP 14',
      colors: ['SPACE BLACK', 'SILVER'],
      capacities: [512, 1024],
      code: 'Q8PH',
    },
    {
      model: 'MacBook Pro',
      stem: 'MBP 16',
      colors: ['SPACE BLACK', 'SILVER'],
      capacities: [512, 1024, 2048],
      code: 'R9PJ',
    },
    {
      model: 'iMac',
      stem: 'IMAC 24 4.5K',
      colors: ['BLUE', 'GREEN', 'PINK', 'SILVER', 'PURPLE'],
      capacities: [256, 512],
      code: 'Q1WK',
      ethernet: true,
    },
    {
      model: 'Mac mini',
      stem: 'MAC MINI',
      colors: ['SILVER'],
      capacities: [256, 512],
      code: 'R2MN',
      ethernet: true,
    },
    {
      model: 'Mac Studio',
      stem: 'MAC STUDIO',
      colors: ['SILVER'],
      capacities: [512, 1024],
      code: 'Q3ST',
      ethernet: true,
    },
  ],
  AppleTV: [
    {
      model: 'Apple TV 4K',
      stem: 'APPLE TV 4K WI-FI + ETHERNET',
      colors: ['BLACK'],
      capacities: [128],
      code: 'Q4TV',
      ethernet: true,
    },
  ],
  Vision: [
    {
      model: 'Apple Vision Pro',
      stem: 'APPLE VISION PRO',
      colors: ['SILVER'],
      capacities: [256, 512, 1024],
      code: 'R5VP',
    },
  ],
  Watch: [
    {
      model: 'Apple Watch Series 10',
      stem: 'WATCH S10 46 GPS',
      colors: ['JET BLACK', 'ROSE GOLD', 'SILVER'],
      capacities: [64],
      code: 'R6WT',
    },
  ],
};

/** @internal Region suffixes of descriptions. */
export const REGIONS = ['USA', 'USA', 'USA', 'CAN', 'GBR', 'DEU', 'FRA', 'JPN', 'AUS'];

/** @internal Apple OUIs used to build MAC addresses. */
export const APPLE_OUIS = ['a4:83:e7', 'f0:18:98', '3c:22:fb', 'bc:d0:74', '8c:85:90', '14:7d:da'];

/** @internal Default e-mail addresses that appear in `device_assigned_by`. */
export const DEFAULT_ADMINS = [
  'it-admin@example.com',
  'procurement@example.com',
  'jamie.appleseed@example.com',
];
