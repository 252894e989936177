import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  MINIMAL_SKIP_SETUP_ITEMS,
  ProfileValidationError,
  profilePreset,
  SKIP_SETUP_ITEMS,
} from '../../../src/index.js';
import { deepFreeze, thrown } from './helpers.js';

const required = { name: 'Sales iPads', url: 'https://mdm.example.com/enroll' };

describe('profilePreset', () => {
  it('automated: supervised, mandatory, locked MDM, awaits configuration, skips every known pane', () => {
    const profile = profilePreset('automated', required);
    expect(profile).toMatchObject({
      profile_name: 'Sales iPads',
      url: 'https://mdm.example.com/enroll',
      is_supervised: true,
      is_mandatory: true,
      is_mdm_removable: false,
      await_device_configured: true,
    });
    expect(profile.skip_setup_items).toEqual([...SKIP_SETUP_ITEMS]);
  });

  it('user-initiated: removable, not mandatory, shows every Setup Assistant pane', () => {
    const profile = profilePreset('user-initiated', required);
    expect(profile).toMatchObject({
      is_supervised: true,
      is_mandatory: false,
      is_mdm_removable: true,
      await_device_configured: false,
      skip_setup_items: [],
    });
  });

  it('maps department, support info and the other options to Apple keys', () => {
    const options = deepFreeze({
      ...required,
      department: 'Sales',
      supportPhone: '+1 555 0100',
      supportEmail: 'help@example.com',
      skip: ['AppleID', 'Siri'] as const,
      configurationWebUrl: 'https://mdm.example.com/auth',
      orgMagic: 'ACME',
      language: 'en',
      region: 'GB',
      anchorCerts: ['TUlJQg=='],
      awaitDeviceConfigured: false,
    });
    const profile = profilePreset('automated', options);
    expect(profile).toMatchObject({
      department: 'Sales',
      support_phone_number: '+1 555 0100',
      support_email_address: 'help@example.com',
      skip_setup_items: ['AppleID', 'Siri'],
      configuration_web_url: 'https://mdm.example.com/auth',
      org_magic: 'ACME',
      language: 'en',
      region: 'GB',
      anchor_certs: ['TUlJQg=='],
      await_device_configured: false,
    });
  });

  it('supports minimal and none skip selections, and overrides win', () => {
    expect(profilePreset('automated', { ...required, skip: 'minimal' }).skip_setup_items).toEqual([
      ...MINIMAL_SKIP_SETUP_ITEMS,
    ]);
    expect(profilePreset('automated', { ...required, skip: 'none' }).skip_setup_items).toEqual([]);
    const profile = profilePreset('user-initiated', {
      ...required,
      removable: false,
      overrides: { is_multi_user: true },
    });
    expect(profile.is_mdm_removable).toBe(false);
    expect(profile.is_multi_user).toBe(true);
  });

  it('rejects a locked MDM without supervision, naming the rule', () => {
    const error = thrown(() =>
      profilePreset('automated', { ...required, supervised: false }),
    ) as ProfileValidationError;
    expect(error).toBeInstanceOf(ProfileValidationError);
    expect(error.issues[0]?.path).toEqual(['is_mdm_removable']);
    expect(error.message).toContain('[supervised-required]');
  });

  it('rejects an unknown kind and invalid options', () => {
    expect(() => profilePreset('zero-touch' as never, required)).toThrow(InvalidArgumentError);
    expect(() => profilePreset('automated', { ...required, url: 'ftp://x' })).toThrow(
      /url must be/,
    );
  });
});
