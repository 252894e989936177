/**
 * Profile resolution throughput: resolveProfiles over 1,000,000 ADE device records against a
 * policy with 10,000 device-level entries, 200 groups (50 serials each) and every OS default,
 * compared with a bare baseline (one Map lookup + an OS-default object lookup per device, no
 * normalisation, no iPad/OS derivation, no unassigned reasons).
 *
 *   node --import tsx bench/resolve-profile.ts
 *
 * Target (issue #5): at least 2,000,000 resolutions per second on one core.
 */
import {
  compilePolicy,
  type ProfileDevice,
  type ProfilePolicy,
  planAssignments,
  resolveProfiles,
} from '../src/profiles/index.js';

const DEVICES = 1_000_000;
const ROUNDS = 7;
const serial = (i: number) => `C${i.toString(36).toUpperCase().padStart(11, '0')}`;

const devicesPolicy: Record<string, string> = {};
for (let i = 0; i < 10_000; i++) devicesPolicy[serial(i * 97)] = `DEV${i % 50}`;
const groups = Array.from({ length: 200 }, (_, g) => ({
  id: `group-${g}`,
  profileUuid: `GROUP${g}`,
  serials: Array.from({ length: 50 }, (_, k) => serial(g * 5_003 + k * 13 + 1)),
  priority: g % 5,
}));
const policy: ProfilePolicy = {
  devices: devicesPolicy,
  groups,
  osDefaults: {
    ios: 'IOS',
    ipados: 'IPAD',
    macos: 'MAC',
    tvos: 'TV',
    visionos: 'VISION',
    watchos: 'WATCH',
  },
};

const kinds: [string, string][] = [
  ['iOS', 'iPhone'],
  ['iOS', 'iPad'],
  ['iPadOS', 'iPad'],
  ['OSX', 'Mac'],
  ['tvOS', 'AppleTV'],
  ['visionOS', 'Vision'],
];
const devices: ProfileDevice[] = Array.from({ length: DEVICES }, (_, i) => {
  const [os, device_family] = kinds[i % kinds.length]!;
  return { serial_number: serial(i), os, device_family, profile_uuid: null };
});

function best(label: string, fn: () => number): number {
  let bestMs = Number.POSITIVE_INFINITY;
  let check = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    check += fn();
    bestMs = Math.min(bestMs, performance.now() - start);
  }
  const perSecond = (DEVICES / bestMs) * 1000;
  console.log(
    `${label.padEnd(46)} ${bestMs.toFixed(1).padStart(8)} ms  ${(perSecond / 1e6).toFixed(2).padStart(6)} M/s  (check ${check})`,
  );
  return perSecond;
}

console.log(
  `node ${process.version}, ${DEVICES.toLocaleString('en')} devices, best of ${ROUNDS}\n`,
);
let start = performance.now();
const compiled = compilePolicy(policy);
console.log(
  `compilePolicy (10,000 devices, 200 groups × 50)  ${(performance.now() - start).toFixed(1)} ms\n`,
);

const baselineMap = new Map<string, string>();
for (const [s, p] of Object.entries(devicesPolicy)) baselineMap.set(s, p);
for (const g of groups)
  for (const s of g.serials) if (!baselineMap.has(s)) baselineMap.set(s, g.profileUuid);
const baselineOs: Record<string, string> = {
  iOS: 'IOS',
  iPadOS: 'IPAD',
  OSX: 'MAC',
  tvOS: 'TV',
  visionOS: 'VISION',
};

const baseline = best('baseline: Map.get + OS-default lookup', () => {
  let hits = 0;
  for (let i = 0; i < devices.length; i++) {
    const d = devices[i]!;
    const p = baselineMap.get(d.serial_number) ?? baselineOs[d.os as string];
    if (p !== undefined) hits++;
  }
  return hits;
});
const batch = best('resolveProfiles(devices, compiled)', () => {
  const results = resolveProfiles(devices, compiled);
  let hits = 0;
  for (let i = 0; i < results.length; i++) if (results[i]!.profileUuid !== null) hits++;
  return hits;
});
const lower = devices.map((d) => ({ ...d, serial_number: d.serial_number.toLowerCase() }));
const slowPath = best('resolveProfiles, lower-case serials (normalise)', () => {
  return resolveProfiles(lower, compiled).length;
});

planAssignments(devices, compiled); // warm-up
start = performance.now();
const plan = planAssignments(devices, compiled);
const planMs = performance.now() - start;

console.log(
  `\nresolveProfiles: ${(batch / 1e6).toFixed(2)} M resolutions/s (target ≥ 2.00), ${(batch / baseline).toFixed(2)}× the bare baseline`,
);
console.log(`with normalisation: ${(slowPath / 1e6).toFixed(2)} M/s`);
console.log(
  `planAssignments over the same devices: ${planMs.toFixed(0)} ms, ${plan.batches.length} batches`,
);
if (batch < 2_000_000) {
  console.log('BELOW TARGET');
  process.exitCode = 1;
}
