import { describe, expect, it } from 'vitest';
import {
  isAbmError,
  ProfileValidationError,
  SKIP_SETUP_ITEMS,
  validateProfile,
} from '../../../src/index.js';
import { adeProfileResponseSchema, adeProfileSchema } from '../../../src/schemas/index.js';
import { thrown } from './helpers.js';

const base = { profile_name: 'Staff iPhones', url: 'https://mdm.example.com/enroll' };

function issuesOf(input: unknown) {
  const error = thrown(() => validateProfile(input));
  expect(error).toBeInstanceOf(ProfileValidationError);
  expect(isAbmError(error, 'PROFILE_INVALID')).toBe(true);
  return (error as ProfileValidationError).issues;
}

describe('validateProfile', () => {
  it('accepts a minimal profile and keeps unknown future keys', () => {
    const profile = validateProfile({ ...base, future_key: { nested: 1 } });
    expect(profile.profile_name).toBe('Staff iPhones');
    expect(profile).toHaveProperty('future_key', { nested: 1 });
  });

  it('accepts every documented key with valid values', () => {
    const full = {
      ...base,
      allow_pairing: false,
      is_supervised: true,
      is_multi_user: false,
      is_mandatory: true,
      await_device_configured: true,
      is_mdm_removable: false,
      is_return_to_service: true,
      do_not_use_profile_from_backup: true,
      auto_advance_setup: false,
      support_phone_number: '+1 555 0100',
      support_email_address: 'it@example.com',
      department: 'IT',
      org_magic: 'ACME-1',
      language: 'en',
      region: 'US',
      configuration_web_url: 'https://mdm.example.com/auth',
      anchor_certs: ['MIIBszCCAVmgAwIBAgIU'],
      supervising_host_certs: ['TUlJQg=='],
      skip_setup_items: ['AppleID', 'Siri', 'SomeFutureKey'],
      devices: ['C02XL0ABJG5H'],
    };
    expect(validateProfile(full)).toEqual(full);
  });

  it('names the field and the rule for a missing required field', () => {
    const issues = issuesOf({ url: base.url });
    expect(issues).toEqual([
      { path: ['profile_name'], message: 'profile_name is required [required]' },
    ]);
  });

  it('reports every issue at once, not just the first', () => {
    const issues = issuesOf({
      profile_name: 'x'.repeat(126),
      url: 'not a url',
      department: 'd'.repeat(126),
      support_phone_number: '1'.repeat(51),
      support_email_address: `${'a'.repeat(245)}@example.com`,
      org_magic: 'm'.repeat(257),
      configuration_web_url: 'http://mdm.example.com/auth',
      language: 'English',
      region: 'us',
      anchor_certs: ['-----BEGIN CERTIFICATE-----'],
      skip_setup_items: ['Siri', ''],
      is_mdm_removable: false,
    });
    const messages = issues.map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'profile_name must be at most 125 characters, got 126 [max-length]',
        'url must be an absolute http(s) URL of the MDM enrollment endpoint [url]',
        'department must be at most 125 characters, got 126 [max-length]',
        'support_phone_number must be at most 50 characters, got 51 [max-length]',
        'support_email_address must be at most 250 characters, got 257 [max-length]',
        'org_magic must be at most 256 characters, got 257 [max-length]',
        'configuration_web_url must be an absolute https:// URL [https-url]',
        'language must be an ISO 639 language code such as "en" [language]',
        'region must be an ISO 3166-1 alpha-2 region code such as "US" [region]',
        'anchor_certs[0] must be a base64-encoded DER certificate, without PEM header lines [base64]',
        'skip_setup_items[1] must be a non-empty pane key [required]',
        'is_mdm_removable may be false only when is_supervised is true (Apple rejects it with FLAGS_INVALID) [supervised-required]',
      ]),
    );
    expect(issues).toHaveLength(12);
    expect(issues.find((i) => i.path[0] === 'anchor_certs')?.path).toEqual(['anchor_certs', 0]);
  });

  it('counts characters (not UTF-16 units) and URL-encoded length for url', () => {
    expect(validateProfile({ ...base, profile_name: '📱'.repeat(125) }).profile_name).toHaveLength(
      250,
    );
    const longUrl = `https://mdm.example.com/${'é'.repeat(700)}`;
    const issues = issuesOf({ ...base, url: longUrl });
    expect(issues[0]?.message).toMatch(
      /^url must be at most 2000 characters once URL-encoded, got \d+ \[max-length]$/,
    );
  });

  it('rejects a URL that cannot be URL-encoded', () => {
    const issues = issuesOf({ ...base, url: 'https://mdm.example.com/\uD800' });
    expect(issues[0]?.message).toBe(
      'url must be at most 2000 characters once URL-encoded, got Infinity [max-length]',
    );
  });

  it('rejects empty required strings and wrong types with the type named', () => {
    const issues = issuesOf({
      profile_name: '  ',
      url: '',
      is_supervised: 'yes',
      devices: 'C02XL0ABJG5H',
    });
    expect(issues.map((i) => i.message)).toEqual([
      'profile_name must not be empty [required]',
      'url must not be empty [required]',
      'is_supervised must be true or false, got a string [type]',
      'devices must be an array of strings, got a string [type]',
    ]);
  });

  it('requires a non-removable MDM profile to be supervised', () => {
    expect(() => validateProfile({ ...base, is_mdm_removable: false })).toThrow(
      /supervised-required/,
    );
    expect(
      validateProfile({ ...base, is_mdm_removable: false, is_supervised: true }).is_mdm_removable,
    ).toBe(false);
  });

  it('checks serials in devices and the e-mail shape', () => {
    const issues = issuesOf({
      ...base,
      devices: ['c02xl0abjg5h', 'SHORT'],
      support_email_address: 'nobody',
    });
    expect(issues.map((i) => i.message)).toEqual([
      'support_email_address must be an e-mail address such as it@example.com [email]',
      'devices[0] must be a serial number: serial numbers contain only uppercase letters A-Z and digits 0-9 [serial]',
      'devices[1] must be a serial number: too short: serial numbers have 8 to 14 characters, got 5 [serial]',
    ]);
  });

  it('rejects a non-object with a message saying so', () => {
    const error = thrown(() => validateProfile(null)) as ProfileValidationError;
    expect(error.message).toBe(
      'ADE profile is invalid (1 problem): profile must be an object, got null [type]. Fix these fields before sending the profile to Apple.',
    );
    expect(error.code).toBe('PROFILE_INVALID');
  });

  it('exposes the same rules through adeProfileSchema.safeParse', () => {
    expect(adeProfileSchema.safeParse(base).success).toBe(true);
    expect(adeProfileSchema.safeParse({ ...base, region: 'usa' }).success).toBe(false);
  });
});

describe('adeProfileResponseSchema', () => {
  it('is lenient with what Apple returns and keeps unknown keys', () => {
    const parsed = adeProfileResponseSchema.parse({
      profile_uuid: 'C1F123098EB5074580041E69883004C3',
      profile_name: 'n'.repeat(500),
      department: null,
      skip_setup_items: ['Brand New Pane'],
      new_apple_field: true,
    });
    expect(parsed.profile_name).toHaveLength(500);
    expect(parsed).toHaveProperty('new_apple_field', true);
  });

  it('requires profile_uuid', () => {
    expect(adeProfileResponseSchema.safeParse({ profile_name: 'x' }).success).toBe(false);
  });
});

describe('SKIP_SETUP_ITEMS', () => {
  it('lists the documented keys including newer ones, without duplicates', () => {
    expect(new Set(SKIP_SETUP_ITEMS).size).toBe(SKIP_SETUP_ITEMS.length);
    for (const key of ['AppleID', 'Intelligence', 'WebContentFiltering', 'Multitasking', 'Tips']) {
      expect(SKIP_SETUP_ITEMS).toContain(key);
    }
  });
});
