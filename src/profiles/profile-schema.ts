import type { z } from 'zod';
import { ProfileValidationError, type ValidationIssue } from '../errors/index.js';
import { lazy } from '../internal/zod.js';
import type { adeProfileResponseSchema, adeProfileSchema } from '../schemas/index.js';
import {
  charLength,
  describeType,
  EMAIL_PATTERN,
  formatPath,
  isBase64,
  isUrlWithProtocol,
  LANGUAGE_PATTERN,
  PROFILE_LIMITS,
  REGION_PATTERN,
  urlEncodedLength,
} from './profile-rules.js';
import { serialProblem } from './serial.js';
import type { SkipSetupItemKey } from './skip-setup-items.js';

export { PROFILE_LIMITS } from './profile-rules.js';
export { SKIP_SETUP_ITEMS, type SkipSetupItem, type SkipSetupItemKey } from './skip-setup-items.js';

const typeError =
  (expected: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined
      ? 'is required [required]'
      : `must be ${expected}, got ${describeType(issue.input)} [type]`;

/**
 * zod schema of an ADE profile as sent to `POST /profile` (Apple's keys, unchanged), with the
 * limits Apple documents checked locally. Unknown keys are kept (loose object) so that keys Apple
 * adds later pass through. `is_mdm_removable: false` requires `is_supervised: true`.
 *
 * Prefer {@link validateProfile}, which throws a {@link ProfileValidationError} listing every issue.
 * Built on first use; `abmkit/schemas` exports the schema itself. @internal
 */
export const getAdeProfileSchema = lazy((z) => {
  const bool = () => z.boolean({ error: typeError('true or false') }).optional();

  function text(max?: number, options: { required?: boolean } = {}) {
    return z.string({ error: typeError('a string') }).superRefine((value, ctx) => {
      if (options.required && value.trim().length === 0) {
        ctx.addIssue({ code: 'custom', message: 'must not be empty [required]', input: value });
      }
      const length = charLength(value);
      if (max !== undefined && length > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be at most ${max} characters, got ${length} [max-length]`,
          input: value,
        });
      }
    });
  }

  function pattern(regex: RegExp, rule: string, expected: string) {
    return z.string({ error: typeError('a string') }).superRefine((value, ctx) => {
      if (!regex.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be ${expected} [${rule}]`, input: value });
      }
    });
  }

  const stringList = (item: z.ZodType<string>) =>
    z.array(item, { error: typeError('an array of strings') }).optional();

  const base64Cert = z.string({ error: typeError('a string') }).superRefine((value, ctx) => {
    if (!isBase64(value)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a base64-encoded DER certificate, without PEM header lines [base64]',
        input: value,
      });
    }
  });

  const skipItem = z.string({ error: typeError('a string') }).superRefine((value, ctx) => {
    if (value.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a non-empty pane key [required]',
        input: value,
      });
    }
  }) as unknown as z.ZodType<SkipSetupItemKey, SkipSetupItemKey>;

  const serial = z.string({ error: typeError('a string') }).superRefine((value, ctx) => {
    const problem = serialProblem(value);
    if (problem !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a serial number: ${problem} [serial]`,
        input: value,
      });
    }
  });

  const url = text(undefined, { required: true }).superRefine((value, ctx) => {
    const encoded = urlEncodedLength(value);
    if (encoded > PROFILE_LIMITS.url) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${PROFILE_LIMITS.url} characters once URL-encoded, got ${encoded} [max-length]`,
        input: value,
      });
    }
    if (value.length > 0 && !isUrlWithProtocol(value, ['https:', 'http:'])) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an absolute http(s) URL of the MDM enrollment endpoint [url]',
        input: value,
      });
    }
  });

  const httpsUrl = z.string({ error: typeError('a string') }).superRefine((value, ctx) => {
    if (!isUrlWithProtocol(value, ['https:'])) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an absolute https:// URL [https-url]',
        input: value,
      });
    }
  });

  const email = text(PROFILE_LIMITS.support_email_address).superRefine((value, ctx) => {
    if (value.length > 0 && !EMAIL_PATTERN.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an e-mail address such as it@example.com [email]',
        input: value,
      });
    }
  });

  return z
    .looseObject(
      {
        /** Name shown to admins in ABM. Required; at most 125 characters. */
        profile_name: text(PROFILE_LIMITS.profile_name, { required: true }),
        /** The MDM server's enrollment URL the device contacts. Required; at most 2000 characters once URL-encoded. */
        url,
        /** Whether the device may pair with a computer. Default true; deprecated since iOS 13. */
        allow_pairing: bool(),
        /** Whether the device is supervised. Ignored since iOS 13: every ADE device is supervised. */
        is_supervised: bool(),
        /** Shared iPad. Needs the MDM server's per-user-connections capability. */
        is_multi_user: bool(),
        /** Whether the user may skip enrollment. Ignored since iOS 13: ADE enrollment is mandatory. */
        is_mandatory: bool(),
        /** Setup Assistant waits until the MDM sends `DeviceConfigured`. Default false. */
        await_device_configured: bool(),
        /** Whether the user may remove the MDM enrollment. Default true; false needs `is_supervised: true`. */
        is_mdm_removable: bool(),
        /** Return to Service (iOS and visionOS 26+). */
        is_return_to_service: bool(),
        /** Do not restore the enrollment profile from a backup (iOS and visionOS 26+). */
        do_not_use_profile_from_backup: bool(),
        /** Advance through Setup Assistant automatically (tvOS, macOS 11+). Default false. */
        auto_advance_setup: bool(),
        /** Support phone number shown during setup. At most 50 characters. */
        support_phone_number: text(PROFILE_LIMITS.support_phone_number).optional(),
        /** Support e-mail address shown during setup. At most 250 characters. */
        support_email_address: email.optional(),
        /** Department or location shown during setup. At most 125 characters. */
        department: text(PROFILE_LIMITS.department).optional(),
        /** An organisation-chosen string that ties together services of one organisation. At most 256 characters. */
        org_magic: text(PROFILE_LIMITS.org_magic).optional(),
        /** Setup Assistant language, ISO 639 (e.g. `en`); tvOS and macOS 11+. */
        language: pattern(
          LANGUAGE_PATTERN,
          'language',
          'an ISO 639 language code such as "en"',
        ).optional(),
        /** Setup Assistant region, ISO 3166-1 alpha-2 upper case (e.g. `US`); tvOS and macOS 11+. */
        region: pattern(
          REGION_PATTERN,
          'region',
          'an ISO 3166-1 alpha-2 region code such as "US"',
        ).optional(),
        /** HTTPS URL of a web view for user authentication before enrollment (iOS 13+, macOS 10.15+). */
        configuration_web_url: httpsUrl.optional(),
        /** Base64 DER certificates trusted as anchors for `url` and the web view. */
        anchor_certs: stringList(base64Cert),
        /** Base64 DER certificates of hosts allowed to pair even when `allow_pairing` is false. */
        supervising_host_certs: stringList(base64Cert),
        /** Setup Assistant panes to skip (see `SKIP_SETUP_ITEMS`; unknown future keys are accepted). */
        skip_setup_items: stringList(skipItem),
        /** Serial numbers to assign the profile to when it is defined. */
        devices: stringList(serial),
      },
      { error: typeError('an object') },
    )
    .refine((profile) => !(profile.is_mdm_removable === false && profile.is_supervised !== true), {
      path: ['is_mdm_removable'],
      message:
        'may be false only when is_supervised is true (Apple rejects it with FLAGS_INVALID) [supervised-required]',
      when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    });
});

/** An ADE profile after validation: Apple's keys, plus any unknown keys passed through. */
export type AdeProfile = z.output<typeof adeProfileSchema>;

/** What {@link validateProfile} and {@link adeProfileSchema} accept. */
export type AdeProfileInput = z.input<typeof adeProfileSchema>;

/** @internal Turn zod issues into abmkit validation issues whose messages name the field. */
export function toValidationIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const where = path.length === 0 ? 'profile' : formatPath(path);
    return { path, message: `${where} ${issue.message}` };
  });
}

/**
 * Validate an ADE profile locally before it is sent to Apple.
 *
 * @param input - the profile, e.g. from a form or a preset.
 * @returns the profile, typed; unknown keys are kept.
 * @throws {@link ProfileValidationError} listing every issue (field path, rule), never just the first.
 *
 * @example
 * ```ts
 * const profile = validateProfile({ profile_name: 'Staff iPhones', url: 'https://mdm.example.com/enroll' });
 * ```
 */
export function validateProfile(input: unknown): AdeProfile {
  const result = getAdeProfileSchema().safeParse(input);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error.issues);
  const list = issues.map((i) => i.message).join('; ');
  throw new ProfileValidationError(
    `ADE profile is invalid (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}): ${list}. Fix these fields before sending the profile to Apple.`,
    { issues },
  );
}

/**
 * zod schema of a profile as Apple returns it from `GET /profile`: `profile_uuid` plus the
 * profile keys. Lenient: no local limits are enforced, `null` is tolerated for optional keys, and
 * unknown keys are kept. Built on first use; `abmkit/schemas` exports the schema itself. @internal
 */
export const getAdeProfileResponseSchema = lazy((z) => {
  const loose = <T extends z.ZodType>(schema: T) => schema.nullish();
  return z.looseObject({
    /** Apple's id of the profile (32 hex characters). */
    profile_uuid: z.string(),
    /** Name shown to admins in ABM. Required; at most 125 characters. */
    profile_name: loose(z.string()),
    /** The MDM server's enrollment URL the device contacts. Required; at most 2000 characters once URL-encoded. */
    url: loose(z.string()),
    /** Whether the device may pair with a computer. Default true; deprecated since iOS 13. */
    allow_pairing: loose(z.boolean()),
    /** Whether the device is supervised. Ignored since iOS 13: every ADE device is supervised. */
    is_supervised: loose(z.boolean()),
    /** Shared iPad. Needs the MDM server's per-user-connections capability. */
    is_multi_user: loose(z.boolean()),
    /** Whether the user may skip enrollment. Ignored since iOS 13: ADE enrollment is mandatory. */
    is_mandatory: loose(z.boolean()),
    /** Setup Assistant waits until the MDM sends `DeviceConfigured`. Default false. */
    await_device_configured: loose(z.boolean()),
    /** Whether the user may remove the MDM enrollment. Default true; false needs `is_supervised: true`. */
    is_mdm_removable: loose(z.boolean()),
    /** Return to Service (iOS and visionOS 26+). */
    is_return_to_service: loose(z.boolean()),
    /** Do not restore the enrollment profile from a backup (iOS and visionOS 26+). */
    do_not_use_profile_from_backup: loose(z.boolean()),
    /** Advance through Setup Assistant automatically (tvOS, macOS 11+). Default false. */
    auto_advance_setup: loose(z.boolean()),
    /** Support phone number shown during setup. At most 50 characters. */
    support_phone_number: loose(z.string()),
    /** Support e-mail address shown during setup. At most 250 characters. */
    support_email_address: loose(z.string()),
    /** Department or location shown during setup. At most 125 characters. */
    department: loose(z.string()),
    /** An organisation-chosen string that ties together services of one organisation. At most 256 characters. */
    org_magic: loose(z.string()),
    /** Setup Assistant language, ISO 639 (e.g. `en`); tvOS and macOS 11+. */
    language: loose(z.string()),
    /** Setup Assistant region, ISO 3166-1 alpha-2 upper case (e.g. `US`); tvOS and macOS 11+. */
    region: loose(z.string()),
    /** HTTPS URL of a web view for user authentication before enrollment (iOS 13+, macOS 10.15+). */
    configuration_web_url: loose(z.string()),
    /** Base64 DER certificates trusted as anchors for `url` and the web view. */
    anchor_certs: loose(z.array(z.string())),
    /** Base64 DER certificates of hosts allowed to pair even when `allow_pairing` is false. */
    supervising_host_certs: loose(z.array(z.string())),
    /** Setup Assistant panes to skip (see `SKIP_SETUP_ITEMS`; unknown future keys are accepted). */
    skip_setup_items: loose(z.array(z.string() as unknown as z.ZodType<SkipSetupItemKey>)),
    /** Serial numbers to assign the profile to when it is defined. */
    devices: loose(z.array(z.string())),
  });
});

/** A profile as returned by Apple's `GET /profile`. */
export type AdeProfileResponse = z.output<typeof adeProfileResponseSchema>;
