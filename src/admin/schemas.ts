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
  status: z.enum(['unassigned', 'assigned', 'pushed', 'profile-served', 'enrolled', 'removed']),
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

/** Answer of `POST /tokens/{tokenId}/assign`: the Business API's assignment report. */
export const assignResultSchema = z.object({
  tokenId: z.string(),
  serverId: z.string().describe("The MDM server's id in the Business API."),
  requested: z.number().describe('Distinct valid serials in the CSV.'),
  assigned: z.array(z.string()).describe('Now on the server (moved ones included).'),
  alreadyOnServer: z.array(z.string()),
  moved: z.array(z.object({ serialNumber: z.string(), fromServerId: z.string() })),
  notFound: z.array(z.string()).describe('Serials the organisation does not have.'),
  failed: z.array(z.object({ serialNumber: z.string(), reason: z.string() })),
  invalid: z.array(z.object({ line: z.number(), value: z.string(), reason: z.string() })),
  duplicates: z.number(),
  activityIds: z.array(z.string()),
});

/** The id of a Business API account in a path. */
export const accountIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'letters, digits, . _ : - (at most 128)')
  .describe('The API account id (your name for it), e.g. `acme-api`.');

/** Body of `PUT /api-accounts/{accountId}`: an API account created in Apple Business Manager. */
export const saveApiAccountBody = z
  .object({
    clientId: z.string().min(1).max(200).describe('`BUSINESSAPI.<uuid>` or `SCHOOLAPI.<uuid>`.'),
    keyId: z.string().min(1).max(200),
    privateKey: z
      .string()
      .min(1)
      .max(16_384)
      .describe('The private key PEM ABM generated; stored encrypted, never returned.'),
    customerId: label.optional(),
    siteId: label.optional(),
    name: label.optional(),
    baseUrl: z.string().url().optional().describe('API base URL override (simulator, proxy).'),
    tokenUrl: z.string().url().optional().describe('Token URL override.'),
  })
  .strict();

/** An API account as answered: never its key. */
export const apiAccountViewSchema = z.object({
  accountId: z.string(),
  clientId: z.string(),
  keyId: z.string(),
  customerId: z.string().nullable(),
  siteId: z.string().nullable(),
  name: z.string().nullable(),
  status: z.enum(['unknown', 'valid', 'key-revoked', 'scope-wrong', 'error']),
  advice: z.string(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
});

/** Answer of `GET /tokens/{tokenId}/devices-missing`. */
export const devicesMissingSchema = z.object({
  items: z.array(
    z.object({
      serialNumber: z.string(),
      productFamily: z.string().nullable(),
      status: z.string().nullable(),
      advice: z.string(),
    }),
  ),
  truncated: z.boolean().describe('More devices exist than `limit`.'),
});

/** A doctor finding. */
export const doctorReportSchema = z.object({
  attention: z.boolean(),
  findings: z.array(
    z.object({
      tokenId: z.string().nullable(),
      check: z.enum(['token', 'sync', 'unassigned', 'profile-rules', 'business-api']),
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
