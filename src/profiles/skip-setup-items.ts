/**
 * Every Setup Assistant pane key known to abmkit for an ADE profile's `skip_setup_items`
 * (Apple's `skipkeys.yaml` up to the iOS 18.2 seed, plus newer keys seen in the field for
 * iOS/macOS/visionOS 26+). Apple keeps adding keys, so profiles also accept any other string;
 * this list drives autocompletion, presets and documentation, never rejection.
 */
export const SKIP_SETUP_ITEMS = [
  'Accessibility',
  'AccessibilityAppearance',
  'ActionButton',
  'AdditionalPrivacySettings',
  'Android',
  'Appearance',
  'AppleID',
  'AppStore',
  'Biometric',
  'CameraButton',
  'DeviceToDeviceMigration',
  'Diagnostics',
  'DisplayTone',
  'EnableLockdownMode',
  'FileVault',
  'HomeButtonSensitivity',
  'iCloudDiagnostics',
  'iCloudStorage',
  'iMessageAndFaceTime',
  'Intelligence',
  'Keyboard',
  'LiquidGlass',
  'Location',
  'MessagingActivationUsingPhoneNumber',
  'Multitasking',
  'OnBoarding',
  'OSShowcase',
  'Passcode',
  'Payment',
  'Privacy',
  'Restore',
  'RestoreCompleted',
  'Safety',
  'SafetyAndHandling',
  'ScreenSaver',
  'ScreenTime',
  'SIMSetup',
  'Siri',
  'SoftwareUpdate',
  'SpokenLanguage',
  'TapToSetup',
  'Tips',
  'TermsOfAddress',
  'TOS',
  'TVHomeScreenSync',
  'TVProviderSignIn',
  'TVRoom',
  'UnlockWithWatch',
  'UpdateCompleted',
  'Wallpaper',
  'WatchMigration',
  'WebContentFiltering',
  'Welcome',
  'Zoom',
] as const;

/** A Setup Assistant pane key abmkit knows about. See {@link SKIP_SETUP_ITEMS}. */
export type SkipSetupItem = (typeof SKIP_SETUP_ITEMS)[number];

/**
 * A value of `skip_setup_items`: a known {@link SkipSetupItem} (autocompleted) or any future
 * key Apple adds (accepted as a plain string).
 */
export type SkipSetupItemKey = SkipSetupItem | (string & {});

/**
 * The panes a "minimal" Setup Assistant skips: the ones that only slow an organisation-owned
 * device down and never carry a decision the user must make themselves (Location, Passcode,
 * Restore and Accessibility stay visible).
 */
export const MINIMAL_SKIP_SETUP_ITEMS: readonly SkipSetupItem[] = [
  'AppleID',
  'Diagnostics',
  'iCloudDiagnostics',
  'iCloudStorage',
  'Payment',
  'ScreenTime',
  'Siri',
  'TOS',
  'Privacy',
  'Intelligence',
  'Tips',
  'OSShowcase',
  'Welcome',
];
