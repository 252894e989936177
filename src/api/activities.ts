import { AbmError, InvalidArgumentError, TimeoutError } from '../errors/index.js';
import { parseActivityLog } from './activity-log.js';
import { type ApiCallOptions, type ApiContext, getOne, seg, shapeError } from './context.js';
import { flatten, readResource } from './json-api.js';
import { checkServerId } from './mdm-servers.js';
import { checkSerialArg } from './org-devices.js';
import type { ActivityLog, OrgDeviceActivity, OrgDeviceActivityType } from './types.js';

/** Input of {@link AbmApiClient.createActivity}. */
export interface CreateActivityInput {
  /** What to do. */
  activityType: OrgDeviceActivityType;
  /** Serials of the devices. */
  serials: readonly string[];
  /** Target (or, for unassign, current) MDM server. Required to assign. */
  serverId?: string;
  /**
   * Migration deadline for the `*_MDM_MIGRATION_DEADLINE` types. Sent as the attribute
   * `mdmMigrationDeadline` (Apple's attribute name is unconfirmed).
   */
  mdmMigrationDeadline?: Date | string;
  /** Must be `true` for `RELEASE_DEVICES`: releasing devices from the organisation cannot be undone. */
  confirmRelease?: boolean;
}

/** Options of {@link AbmApiClient.waitForActivity}. */
export interface WaitForActivityOptions extends ApiCallOptions {
  /** First delay between polls. @default 2000 */
  intervalMs?: number;
  /** Cap on the delay (it doubles each poll). @default 30000 */
  maxIntervalMs?: number;
  /** Give up after this long (on the client's clock). @default 3600000 */
  timeoutMs?: number;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'STOPPED']);
/** Most serials one activity carries by default; Apple's maximum is unconfirmed. */
export const DEFAULT_ACTIVITY_CHUNK = 1000;

/** @internal */
export async function createActivity(
  ctx: ApiContext,
  input: CreateActivityInput,
  options: ApiCallOptions = {},
): Promise<OrgDeviceActivity> {
  const type = input?.activityType;
  if (type === 'RELEASE_DEVICES' && input.confirmRelease !== true) {
    throw new InvalidArgumentError(
      'Releasing devices removes them from the organisation for good (they cannot be added back through the API). Pass { confirmRelease: true } to do it.',
    );
  }
  if (!Array.isArray(input?.serials) || input.serials.length === 0) {
    throw new InvalidArgumentError('An activity needs a non-empty array of serial numbers.');
  }
  const serials = input.serials.map(checkSerialArg);
  const needsServer =
    type === 'ASSIGN_DEVICES' || type === 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE';
  if (needsServer && input.serverId === undefined) {
    throw new InvalidArgumentError(`${type} needs the serverId of the target MDM server.`);
  }
  const attributes: Record<string, unknown> = { activityType: type };
  if (input.mdmMigrationDeadline !== undefined) {
    const ms = new Date(input.mdmMigrationDeadline).getTime();
    if (Number.isNaN(ms))
      throw new InvalidArgumentError('mdmMigrationDeadline is not a valid date.');
    attributes['mdmMigrationDeadline'] = new Date(ms).toISOString();
  } else if (
    type === 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE' ||
    type === 'UPDATE_MDM_MIGRATION_DEADLINE'
  ) {
    throw new InvalidArgumentError(`${type} needs mdmMigrationDeadline.`);
  }
  const relationships: Record<string, unknown> = {
    devices: { data: serials.map((id) => ({ type: 'orgDevices', id })) },
  };
  if (input.serverId !== undefined) {
    relationships['mdmServer'] = {
      data: { type: 'mdmServers', id: checkServerId(input.serverId) },
    };
  }
  const path = '/v1/orgDeviceActivities';
  const doc = await ctx.http.send({
    operation: 'createActivity',
    method: 'POST',
    url: `${ctx.baseUrl}${path}`,
    path,
    json: { data: { type: 'orgDeviceActivities', attributes, relationships } },
    retrySafe: false,
    auth: 'bearer',
    signal: options.signal,
  });
  const resource = readResource(doc);
  if (!resource) throw shapeError('createActivity', 'POST', path);
  return flatten<OrgDeviceActivity>(resource);
}

/** @internal */
export async function getActivity(
  ctx: ApiContext,
  id: string,
  options: ApiCallOptions = {},
): Promise<OrgDeviceActivity> {
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,128}$/.test(id)) {
    throw new InvalidArgumentError('An activity id must be 1 to 128 letters, digits or dashes.');
  }
  return getOne<OrgDeviceActivity>(ctx, 'activity', `/v1/orgDeviceActivities/${seg(id)}`, options);
}

/** Polls until `COMPLETED`, `FAILED` or `STOPPED`, with doubling delays. @internal */
export async function waitForActivity(
  ctx: ApiContext,
  id: string,
  options: WaitForActivityOptions = {},
): Promise<OrgDeviceActivity> {
  let delay = options.intervalMs ?? 2000;
  const maxDelay = options.maxIntervalMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 3_600_000;
  const started = ctx.now();
  // Bounded: the loop ends at timeoutMs on the client clock, and after 100,000 polls at most.
  for (let poll = 0; poll < 100_000; poll++) {
    const activity = await getActivity(ctx, id, options);
    if (TERMINAL.has(String(activity.status))) return activity;
    if (ctx.now() - started >= timeoutMs) break;
    await ctx.sleep(delay, options.signal);
    delay = Math.min(delay * 2, maxDelay);
  }
  throw new TimeoutError(
    `Activity ${id} did not finish within ${timeoutMs} ms. It keeps running at Apple; poll it later with getActivity().`,
    { operation: 'waitForActivity', attempts: 1 },
  );
}

/**
 * Downloads an activity's log from its `downloadUrl` (no bearer token is sent unless the URL is on
 * the API's own origin) and reads per-serial outcomes where the format allows.
 * @internal
 */
export async function fetchActivityLog(
  ctx: ApiContext,
  activity: Pick<OrgDeviceActivity, 'id' | 'downloadUrl'>,
  options: ApiCallOptions = {},
): Promise<ActivityLog | undefined> {
  const href = activity.downloadUrl;
  if (typeof href !== 'string' || href === '') return undefined;
  let url: URL;
  try {
    url = new URL(href, ctx.baseUrl);
  } catch {
    throw new AbmError(
      'RESPONSE_INVALID',
      `Activity ${activity.id} has a downloadUrl that is not a URL.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AbmError(
      'RESPONSE_INVALID',
      `Activity ${activity.id} has a downloadUrl that is not http(s).`,
    );
  }
  const sameOrigin = url.origin === new URL(ctx.baseUrl).origin;
  const text = (await ctx.http.send({
    operation: 'activityLog',
    method: 'GET',
    url: url.toString(),
    path: url.pathname,
    retrySafe: true,
    auth: sameOrigin ? 'bearer' : 'none',
    expectJson: false,
    signal: options.signal,
  })) as string;
  return parseActivityLog(text.length > ctx.maxLogBytes ? text.slice(0, ctx.maxLogBytes) : text);
}
