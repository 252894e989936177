import { z } from 'zod';

/** The token id in a path or body: what the manager accepts, kept URL- and file-name-safe. */
export const tokenIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'letters, digits, . _ : - (at most 128)')
  .describe('The token id (tenant key), e.g. `acme-hq`.');

const label = z.string().min(1).max(200);
const uuid = z.string().min(1).max(200).describe("An ADE profile UUID (Apple's `profile_uuid`).");
const OS = ['ios', 'ipados', 'macos', 'tvos', 'visionos', 'watchos'] as const;

/** Body of `POST /tokens`: step 1 of the token wizard (customer and site → key pair). */
export const createTokenBody = z
  .object({
    tokenId: tokenIdSchema,
    customerId: label.optional(),
    siteId: label.optional(),
    name: label.optional(),
    renew: z
      .boolean()
      .optional()
      .describe('Start a renewal of an active token (a new key pair). Default false.'),
  })
  .strict();

/** Per-OS default profiles. `null` clears one. */
export const osDefaultsBody = z
  .object(Object.fromEntries(OS.map((os) => [os, uuid.nullable().optional()])))
  .strict()
  .describe('Per-OS default profile UUIDs; `null` removes one.');

/** A group rule of a policy. */
const groupSchema = z
  .object({
    id: z.string().min(1).max(200),
    profileUuid: uuid,
    serials: z.array(z.string().min(1).max(64)).max(100_000),
    priority: z.number().int().optional(),
    name: z.string().max(200).optional(),
  })
  .strict();

/** Body of `PUT /tokens/{tokenId}/policy`: device > group > OS default. */
export const policyBody = z
  .object({
    devices: z.record(z.string().min(1).max(64), uuid).optional(),
    groups: z.array(groupSchema).max(10_000).optional(),
    osDefaults: z
      .object(Object.fromEntries(OS.map((os) => [os, uuid.optional()])))
      .strict()
      .optional(),
  })
  .strict();

/** Body of `POST /tokens/{tokenId}/profiles`: define a preset profile, optionally as OS default. */
export const defineProfileBody = z
  .object({
    name: z.string().min(1).max(200),
    url: z.url().describe('The MDM enrollment URL the profile points at.'),
    kind: z.enum(['automated', 'user-initiated']).optional(),
    defaultFor: z.array(z.enum(OS)).optional().describe('Make it the default of these OSes.'),
  })
  .strict();

const iso = z.string().nullable();

/** A health banner the console shows above a token. */
export const bannerSchema = z.object({
  level: z.enum(['info', 'warning', 'error']),
  text: z.string(),
});

/** A token as the admin API shows it (never a secret). */
export const tokenViewSchema = z.object({
  tokenId: z.string(),
  name: z.string().nullable(),
  customerId: z.string().nullable(),
  siteId: z.string().nullable(),
  status: z.enum(['pending', 'valid', 'renew-soon', 'expired', 'terms-not-signed', 'rejected']),
  advice: z.string(),
  expiresAt: iso,
  daysLeft: z.number().nullable(),
  pendingKeyPair: z.boolean(),
  lastSyncAt: iso,
  lastSuccessfulSyncAt: iso,
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  serverName: z.string().nullable(),
  orgName: z.string().nullable(),
  banners: z.array(bannerSchema),
});

/** Answer of `POST /tokens`. */
export const keyPairViewSchema = z.object({
  tokenId: z.string(),
  created: z.boolean().describe('false when the pending key pair was kept (wizard reloaded).'),
  certificatePem: z.string(),
  certificateUrl: z.string(),
});

/** A device row. */
export const deviceViewSchema = z.object({
  serialNumber: z.string(),
  model: z.string().nullable(),
  os: z.string().nullable(),
  status: z.enum(['unassigned', 'assigned', 'pushed', 'enrolled', 'removed']),
  profileUuid: z.string().nullable(),
  unassignedReason: z.string().nullable(),
  description: z.string().nullable(),
  assetTag: z.string().nullable(),
  opDate: z.string().nullable(),
});

/** A page of devices. */
export const devicePageSchema = z.object({
  items: z.array(deviceViewSchema),
  nextCursor: z.string().nullable(),
});

/** The Unassigned list: devices with reasons, and the reasons counted. */
export const unassignedPageSchema = devicePageSchema.extend({
  reasons: z.array(z.object({ reason: z.string(), count: z.number() })),
});

/** The state of a token's Sync Now (polling answer and each Server-Sent Event). */
export const syncStateSchema = z.object({
  tokenId: z.string(),
  running: z.boolean(),
  runId: z.string().nullable(),
  pages: z.number(),
  devices: z.number(),
  phase: z.enum(['full', 'sync']).nullable(),
  report: z
    .object({
      status: z.enum(['completed', 'failed', 'aborted', 'skipped']),
      skipped: z.string().nullable(),
      pages: z.number(),
      added: z.number(),
      modified: z.number(),
      removed: z.number(),
      assigned: z.number(),
      failed: z.number(),
      throttled: z.number(),
      unassigned: z.number(),
      durationMs: z.number(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable(),
});

/** A policy as stored. */
export const policyViewSchema = z.object({
  tokenId: z.string(),
  policy: policyBody,
  revision: z.number().nullable(),
});

/** Answer of `POST /tokens/{tokenId}/profiles`. */
export const profileViewSchema = z.object({ profileUuid: z.string(), osDefaults: osDefaultsBody });

/** Answer of `POST /tokens/{tokenId}/assign`. */
export const assignResultSchema = z.object({ requested: z.number(), result: z.unknown() });

/** A doctor finding. */
export const doctorReportSchema = z.object({
  attention: z.boolean(),
  findings: z.array(
    z.object({
      tokenId: z.string().nullable(),
      check: z.enum(['token', 'sync', 'unassigned', 'profile-rules']),
      severity: z.enum(['ok', 'warning', 'error']),
      issue: z.string(),
      cause: z.string(),
      remedy: z.string(),
      details: z.array(z.string()),
    }),
  ),
});

/** Every error answer. */
export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
      .optional(),
  }),
});
