export {
  type AdeProfile,
  type AdeProfileInput,
  type AdeProfileResponse,
  adeProfileResponseSchema,
  adeProfileSchema,
  PROFILE_LIMITS,
  validateProfile,
} from './profile-schema.js';
export { isValidSerial, normalizeSerial, SERIAL_LENGTH } from './serial.js';
export {
  MINIMAL_SKIP_SETUP_ITEMS,
  SKIP_SETUP_ITEMS,
  type SkipSetupItem,
  type SkipSetupItemKey,
} from './skip-setup-items.js';
