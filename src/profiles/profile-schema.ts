import { z } from 'zod';
import { ProfileValidationError, type ValidationIssue } from '../errors/index.js';
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

/**
 * zod schema of an ADE profile as sent to `POST /profile` (Apple's keys, unchanged), with the
 * limits Apple documents checked locally. Unknown keys are kept (loose object) so that keys Apple
 * adds later pass through. `is_mdm_removable: false` requires `is_supervised: true`.
 *
 * Prefer {@link validateProfile}, which throws a {@link ProfileValidationError} listing every issue.
 */
export const adeProfileSchema = z
  .looseObject(
    {
      profile_name: text(PROFILE_LIMITS.profile_name, { required: true }),
      url,
      allow_pairing: bool(),
      is_supervised: bool(),
      is_multi_user: bool(),
      is_mandatory: bool(),
      await_device_configured: bool(),
      is_mdm_removable: bool(),
      is_return_to_service: bool(),
      do_not_use_profile_from_backup: bool(),
      auto_advance_setup: bool(),
      support_phone_number: text(PROFILE_LIMITS.support_phone_number).optional(),
      support_email_address: email.optional(),
      department: text(PROFILE_LIMITS.department).optional(),
      org_magic: text(PROFILE_LIMITS.org_magic).optional(),
      language: pattern(
        LANGUAGE_PATTERN,
        'language',
        'an ISO 639 language code such as "en"',
      ).optional(),
      region: pattern(
        REGION_PATTERN,
        'region',
        'an ISO 3166-1 alpha-2 region code such as "US"',
      ).optional(),
      configuration_web_url: httpsUrl.optional(),
      anchor_certs: stringList(base64Cert),
      supervising_host_certs: stringList(base64Cert),
      skip_setup_items: stringList(skipItem),
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
  const result = adeProfileSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error.issues);
  const list = issues.map((i) => i.message).join('; ');
  throw new ProfileValidationError(
    `ADE profile is invalid (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}): ${list}. Fix these fields before sending the profile to Apple.`,
    { issues },
  );
}

const loose = <T extends z.ZodType>(schema: T) => schema.nullish();

/**
 * zod schema of a profile as Apple returns it from `GET /profile`: `profile_uuid` plus the
 * profile keys. Lenient: no local limits are enforced, `null` is tolerated for optional keys, and
 * unknown keys are kept.
 */
export const adeProfileResponseSchema = z.looseObject({
  profile_uuid: z.string(),
  profile_name: loose(z.string()),
  url: loose(z.string()),
  allow_pairing: loose(z.boolean()),
  is_supervised: loose(z.boolean()),
  is_multi_user: loose(z.boolean()),
  is_mandatory: loose(z.boolean()),
  await_device_configured: loose(z.boolean()),
  is_mdm_removable: loose(z.boolean()),
  is_return_to_service: loose(z.boolean()),
  do_not_use_profile_from_backup: loose(z.boolean()),
  auto_advance_setup: loose(z.boolean()),
  support_phone_number: loose(z.string()),
  support_email_address: loose(z.string()),
  department: loose(z.string()),
  org_magic: loose(z.string()),
  language: loose(z.string()),
  region: loose(z.string()),
  configuration_web_url: loose(z.string()),
  anchor_certs: loose(z.array(z.string())),
  supervising_host_certs: loose(z.array(z.string())),
  skip_setup_items: loose(z.array(z.string() as unknown as z.ZodType<SkipSetupItemKey>)),
  devices: loose(z.array(z.string())),
});

/** A profile as returned by Apple's `GET /profile`. */
export type AdeProfileResponse = z.output<typeof adeProfileResponseSchema>;
