import { InvalidArgumentError, isAbmError } from '../errors/index.js';
import { type ApiCallOptions, type ApiContext, getOne, seg, shapeError } from './context.js';
import { flatten } from './json-api.js';
import { type ListOptions, paginate } from './paginate.js';
import type { AppleCareCoverage, MdmServer, OrgDevice } from './types.js';

/** @internal */
export async function* listOrgDevices(
  ctx: ApiContext,
  options?: ListOptions,
): AsyncGenerator<OrgDevice> {
  for await (const r of paginate(
    {
      http: ctx.http,
      baseUrl: ctx.baseUrl,
      operation: 'orgDevices',
      path: '/v1/orgDevices',
      fieldsType: 'orgDevices',
    },
    options,
  )) {
    yield flatten<OrgDevice>(r);
  }
}

/** @internal */
export function checkSerialArg(serial: unknown): string {
  if (typeof serial !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(serial.trim())) {
    throw new InvalidArgumentError('A serial number must be 1 to 64 letters or digits.');
  }
  return serial.trim().toUpperCase();
}

/** @internal */
export async function getOrgDevice(
  ctx: ApiContext,
  serial: string,
  options: ApiCallOptions & { fields?: readonly string[] } = {},
): Promise<OrgDevice> {
  const s = checkSerialArg(serial);
  return getOne<OrgDevice>(ctx, 'orgDevice', `/v1/orgDevices/${seg(s)}`, {
    ...options,
    fieldsType: 'orgDevices',
  });
}

/** The id of the server a device is assigned to, or `null` when it is on none. @internal */
export async function getAssignedServerId(
  ctx: ApiContext,
  serial: string,
  options: ApiCallOptions = {},
): Promise<string | null> {
  const s = checkSerialArg(serial);
  const path = `/v1/orgDevices/${seg(s)}/relationships/assignedServer`;
  const doc = (await ctx.http.send({
    operation: 'assignedServerId',
    method: 'GET',
    url: `${ctx.baseUrl}${path}`,
    path,
    retrySafe: true,
    auth: 'bearer',
    signal: options.signal,
  })) as { data?: { id?: unknown } | null } | undefined;
  if (!doc || !('data' in doc)) throw shapeError('assignedServerId', 'GET', path);
  return typeof doc.data?.id === 'string' ? doc.data.id : null;
}

/** The full server record a device is assigned to, or `null`. @internal */
export async function getAssignedServer(
  ctx: ApiContext,
  serial: string,
  options: ApiCallOptions = {},
): Promise<MdmServer | null> {
  const s = checkSerialArg(serial);
  const path = `/v1/orgDevices/${seg(s)}/assignedServer`;
  const doc = (await ctx.http.send({
    operation: 'assignedServer',
    method: 'GET',
    url: `${ctx.baseUrl}${path}`,
    path,
    retrySafe: true,
    auth: 'bearer',
    signal: options.signal,
  })) as { data?: unknown } | undefined;
  if (!doc || !('data' in doc)) throw shapeError('assignedServer', 'GET', path);
  const data = doc.data as { id?: unknown; type?: unknown } | null;
  return data && typeof data.id === 'string' ? flatten<MdmServer>(data as never) : null;
}

/** @internal */
export async function* appleCareCoverage(
  ctx: ApiContext,
  serial: string,
  options?: ListOptions,
): AsyncGenerator<AppleCareCoverage> {
  const s = checkSerialArg(serial);
  for await (const r of paginate(
    {
      http: ctx.http,
      baseUrl: ctx.baseUrl,
      operation: 'appleCareCoverage',
      path: `/v1/orgDevices/${seg(s)}/appleCareCoverage`,
      fieldsType: 'appleCareCoverage',
    },
    options,
  )) {
    yield flatten<AppleCareCoverage>(r);
  }
}

/** Whether an error is Apple's "no such device / server". @internal */
export const isNotFound = (error: unknown): boolean =>
  isAbmError(error) && error.code === 'NOT_FOUND';
