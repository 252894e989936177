/**
 * ADE profiles end to end, without any network: build profiles from presets, describe who gets
 * which profile as a policy, import serials from a CSV, resolve devices and plan the
 * assign-profile calls.
 *
 *   npx tsup && node --import tsx examples/profiles-policy.ts
 */
import {
  compilePolicy,
  isAbmError,
  type ProfileDevice,
  type ProfilePolicy,
  parseSerialCsv,
  planAssignments,
  profilePreset,
  resolveProfile,
} from 'abmkit';

// 1. Profiles. Zero-touch for company iPhones/iPads; a user-initiated one for a pilot group.
const automated = profilePreset('automated', {
  name: 'Company devices',
  url: 'https://mdm.example.com/enroll',
  department: 'IT',
  supportPhone: '+1 555 0100',
  supportEmail: 'it@example.com',
  skip: 'all',
});
const pilot = profilePreset('user-initiated', {
  name: 'Pilot',
  url: 'https://mdm.example.com/enroll',
  skip: ['AppleID', 'Siri'],
});
console.log('profiles:', automated.profile_name, '/', pilot.profile_name);
// Send each with POST /profile (the client does that) and keep the returned profile_uuid.
const AUTOMATED_UUID = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';
const PILOT_UUID = '0F1E2D3C4B5A69788796A5B4C3D2E1F0';
const MAC_UUID = '1234567890ABCDEF1234567890ABCDEF';

// 2. Serials for the pilot group come from an admin's CSV upload.
const csv =
  'Serial Number,Note\r\nc02xl0abjg5h,CEO\r\nDMPXL0ABJG5H,\r\nnot-a-serial,\r\nC02XL0ABJG5H,again\r\n';
const imported = await parseSerialCsv(csv);
console.log(
  'imported:',
  imported.serials,
  'duplicates:',
  imported.duplicates,
  'invalid:',
  imported.invalid,
);

// 3. The policy: device > group > OS default > unassigned.
const policy: ProfilePolicy = {
  devices: { F9FXL0ABJG5H: AUTOMATED_UUID },
  groups: [{ id: 'pilot', profileUuid: PILOT_UUID, serials: imported.serials }],
  osDefaults: { ios: AUTOMATED_UUID, macos: MAC_UUID },
};
const compiled = compilePolicy(policy); // validate and index once

// 4. Devices as the sync engine sees them (Apple's field names).
const devices: ProfileDevice[] = [
  { serial_number: 'C02XL0ABJG5H', os: 'iOS', device_family: 'iPhone' },
  { serial_number: 'DMPXL0ABJG5H', os: 'iOS', device_family: 'iPad', profile_uuid: PILOT_UUID },
  { serial_number: 'F9FXL0ABJG5H', os: 'iPadOS', device_family: 'iPad' },
  { serial_number: 'GG7XL0ABJG5H', os: 'OSX', device_family: 'Mac' },
  { serial_number: 'HH8XL0ABJG5H', os: 'tvOS', device_family: 'AppleTV' },
];
for (const device of devices) console.log(device.serial_number, resolveProfile(device, compiled));

// 5. The assign-profile calls to make (≤1000 serials each; devices already on their profile skipped).
const plan = planAssignments(devices, compiled);
console.log('batches:', plan.batches);
console.log('skipped:', plan.skipped);
console.log('unassigned:', plan.unassigned);

// 6. Malformed input fails loudly, with field paths.
try {
  compilePolicy({ osDefaults: { iOS: AUTOMATED_UUID } } as ProfilePolicy);
} catch (error) {
  if (isAbmError(error, 'POLICY_INVALID')) console.log(error.issues);
}
