import type { z } from 'zod';
import { DEVICE_STATUSES } from '../domain/devices.js';
import { InvalidArgumentError, isAbmError } from '../errors/index.js';
import { durationOption } from '../internal/duration.js';
import { lazy } from '../internal/zod.js';
import { MAX_DEVICE_PAGE_LIMIT } from '../resources/device-list.js';
import type { DeviceStatus } from '../storage/types.js';

/** The storage methods the manager calls: a missing one is a wrong `storage` option. */
const STORAGE_METHODS = [
  'saveToken',
  'getToken',
  'listTokens',
  'deleteToken',
  'getSession',
  'putSession',
  'deleteSession',
  'acquireLease',
  'renewLease',
  'releaseLease',
  'getCursor',
  'setCursor',
  'resetCursor',
  'applyPage',
  'getDevices',
  'listDevices',
  'countDevices',
  'findDeviceBySerial',
  'updateDevices',
  'markMissingRemoved',
  'getPolicy',
  'setPolicy',
  'recordAssignmentResults',
  'listDueRetries',
  'listRetries',
  'deleteRetries',
  'startSyncRun',
  'finishSyncRun',
  'pruneSyncRuns',
  'now',
] as const;

/** The field schemas the option schemas share, built on first use. */
const fields = lazy((z) => {
  const httpUrl = z.string({ error: 'must be a string' }).refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL, e.g. "https://mdmenrollment.apple.com"');

  /**
   * A duration option, checked and clamped by the shared {@link durationOption}: a number of
   * milliseconds ≥ `min` (`0` allowed when `min` is 0), floored, and at most ~24.8 days (a longer
   * delay would make a Node timer fire after 1 ms; `Infinity` means "as long as a timer can wait").
   */
  const ms = (min: number) =>
    z
      .unknown()
      .transform((value, ctx) => {
        if (typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)) {
          ctx.addIssue({ code: 'custom', message: 'must be a whole number of milliseconds' });
          return z.NEVER;
        }
        try {
          return Math.floor(durationOption(value, 0, 'value', { min, allowZero: min === 0 }));
        } catch (error) {
          if (!isAbmError(error)) throw error;
          ctx.addIssue({
            code: 'custom',
            message: `must be a number of milliseconds ≥ ${min} (at most ~24.8 days are used)`,
          });
          return z.NEVER;
        }
      })
      .optional();
  const count = (min: number) =>
    z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .optional();
  const text = z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(500);
  const fn = z.custom<(...args: never[]) => unknown>(
    (v) => typeof v === 'function',
    'must be a function',
  );
  const signal = z.custom<AbortSignal>((v) => v instanceof AbortSignal, 'must be an AbortSignal');

  const storage = z.custom<object>(
    (v) =>
      v !== null &&
      typeof v === 'object' &&
      STORAGE_METHODS.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    'must be an AbmStorage (MemoryStorage, FileStorage, PostgresStorage, RedisStorage or your own StorageBase subclass)',
  );

  return { httpUrl, ms, count, text, fn, signal, storage };
});

/** `new AbmManager(options)`. @internal */
export const getManagerOptionsSchema = lazy((z) => {
  const { httpUrl, ms, count, text, fn, signal, storage } = fields();
  return z.object({
    storage,
    baseUrl: httpUrl.optional(),
    userAgent: text.optional(),
    syncIntervalMs: ms(1),
    renewWithinDays: z.number().min(0).max(366).optional(),
    logger: z
      .custom<object>((v) => v !== null && typeof v === 'object', 'must be a logger object')
      .optional(),
    owner: text.optional(),
    concurrency: count(1),
    leaseTtlMs: ms(30),
    pageSize: count(1).refine(
      (v) => v === undefined || v <= MAX_DEVICE_PAGE_LIMIT,
      `must be at most ${MAX_DEVICE_PAGE_LIMIT} (Apple’s limit)`,
    ),
    jitter: z.number().min(0).max(1).optional(),
    staggerMs: ms(0),
    assignmentCooldownMs: ms(0),
    throttleFallbackMs: ms(0),
    unhealthyProbeIntervalMs: ms(0),
    fullReconcileIntervalMs: ms(0),
    keepSyncRuns: count(1),
    now: fn.optional(),
    fetch: fn.optional(),
    retry: z.object({}).passthrough().optional(),
    timeoutMs: ms(1),
    deadlineMs: ms(1),
    maxResponseBytes: count(1),
    protocolVersion: count(1),
    signal: signal.optional(),
    telemetry: z.union([z.literal('auto'), z.literal(false)]).optional(),
  });
});

/** The manager's duration options after {@link getManagerOptionsSchema}: floored and clamped. @internal */
export type ManagerDurations = Partial<
  Record<
    | 'syncIntervalMs'
    | 'leaseTtlMs'
    | 'staggerMs'
    | 'assignmentCooldownMs'
    | 'throttleFallbackMs'
    | 'unhealthyProbeIntervalMs'
    | 'fullReconcileIntervalMs',
    number
  >
>;

/**
 * Validates the manager options (a typed error naming every bad field) and returns the duration
 * options as the schema clamped them. @internal
 */
export function parseManagerDurations(options: unknown): ManagerDurations {
  parseOptions('AbmManager options', getManagerOptionsSchema, options);
  const defined = Object.fromEntries(
    Object.entries(options as object).filter(([, v]) => v !== undefined),
  );
  const data = getManagerOptionsSchema().parse(defined);
  const out: ManagerDurations = {};
  for (const key of [
    'syncIntervalMs',
    'leaseTtlMs',
    'staggerMs',
    'assignmentCooldownMs',
    'throttleFallbackMs',
    'unhealthyProbeIntervalMs',
    'fullReconcileIntervalMs',
  ] as const) {
    const v = data[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

/** `createKeyPair(tokenId, options)`. @internal */
export const getCreateKeyPairOptionsSchema = lazy((z) => {
  const { text, httpUrl } = fields();
  return z.object({
    customerId: text.optional(),
    siteId: text.optional(),
    name: text.optional(),
    baseUrl: httpUrl.optional(),
    newKeyPair: z.boolean().optional(),
  });
});

/** `uploadServerToken(tokenId, file, options)`. @internal */
export const getUploadServerTokenOptionsSchema = lazy((z) =>
  z.object({ force: z.boolean().optional() }),
);

/** `listTokens(options)`. @internal */
export const getListTokensOptionsSchema = lazy((z) => {
  const { text } = fields();
  return z.object({
    customerId: text.optional(),
    siteId: text.optional(),
  });
});

/** `listDevices(tokenId, options)`. @internal */
export const getListDevicesOptionsSchema = lazy((z) => {
  const deviceStatus = z.enum(DEVICE_STATUSES as [DeviceStatus, ...DeviceStatus[]]);
  return z.object({
    status: z.union([deviceStatus, z.array(deviceStatus).min(1)]).optional(),
    unresolved: z.boolean().optional(),
    cursor: z.string().nullable().optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  });
});

/** `syncNow(tokenId, options)`. @internal */
export const getSyncNowOptionsSchema = lazy((z) =>
  z.object({ signal: fields().signal.optional() }),
);

/**
 * Validates `value` (`undefined` = `{}`) against `schema` (a getter: schemas are built on first
 * use), or throws an {@link InvalidArgumentError} naming every bad field and what it must be.
 * @internal
 */
export function parseOptions<T>(what: string, schema: () => z.ZodType<T>, value: unknown): T {
  const input = value === undefined ? {} : value;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidArgumentError(
      `${what} must be an options object (or omitted), got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}.`,
    );
  }
  // Fields explicitly set to `undefined` mean "not set".
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const result = schema().safeParse(defined);
  if (result.success) return input as T;
  const problems = result.error.issues.map((i) => {
    const path = i.path.join('.');
    const got =
      i.path.length > 0 ? describe((defined as Record<string, unknown>)[String(i.path[0])]) : '';
    return `${path || 'options'} ${i.message}${got}`;
  });
  throw new InvalidArgumentError(`${what}: ${problems.join('; ')}.`);
}

function describe(value: unknown): string {
  if (value === undefined) return '';
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : value === null
          ? 'null'
          : typeof value;
  return ` (got ${shown})`;
}
