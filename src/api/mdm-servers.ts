import { X509Certificate } from 'node:crypto';
import { CertificateError, InvalidArgumentError } from '../errors/index.js';
import { type ApiCallOptions, type ApiContext, getOne, seg, shapeError } from './context.js';
import { flatten, readResource } from './json-api.js';
import { type ListOptions, paginate } from './paginate.js';
import type { MdmServer } from './types.js';

/** Input of {@link AbmApiClient.createMdmServer}. */
export interface CreateMdmServerInput {
  /** Name shown in Apple Business Manager. */
  serverName: string;
  /** The certificate PEM Apple encrypts the server token to (from `generateKeyPair()` or `manager.createKeyPair()`). */
  certificatePem: string;
  /** Name of the certificate. @default `${serverName}.pem` */
  certificateName?: string;
  /** Let the MDM server disown devices. */
  enableMdmDisownFlag?: boolean;
}

/** Input of {@link AbmApiClient.updateMdmServer}: only the supplied attributes change. */
export interface UpdateMdmServerInput {
  /** New name. */
  serverName?: string;
  /**
   * Product families assigned to this server by default (the product guide's Automatic
   * Assignment), e.g. `['IPHONE', 'IPAD', 'MAC']`.
   */
  defaultProductFamilies?: readonly string[];
}

/** @internal */
export function checkServerId(id: unknown): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,128}$/.test(id)) {
    throw new InvalidArgumentError('An MDM server id must be 1 to 128 letters, digits or dashes.');
  }
  return id;
}

/** @internal */
export async function* listMdmServers(
  ctx: ApiContext,
  options?: ListOptions,
): AsyncGenerator<MdmServer> {
  for await (const r of paginate(
    {
      http: ctx.http,
      baseUrl: ctx.baseUrl,
      operation: 'mdmServers',
      path: '/v1/mdmServers',
      fieldsType: 'mdmServers',
    },
    options,
  )) {
    yield flatten<MdmServer>(r);
  }
}

/** @internal */
export async function getMdmServer(
  ctx: ApiContext,
  id: string,
  options: ApiCallOptions & { fields?: readonly string[] } = {},
): Promise<MdmServer> {
  return getOne<MdmServer>(ctx, 'mdmServer', `/v1/mdmServers/${seg(checkServerId(id))}`, {
    ...options,
    fieldsType: 'mdmServers',
  });
}

/** Serials assigned to a server (linkages). @internal */
export async function* mdmServerDeviceSerials(
  ctx: ApiContext,
  id: string,
  options?: ListOptions,
): AsyncGenerator<string> {
  for await (const r of paginate(
    {
      http: ctx.http,
      baseUrl: ctx.baseUrl,
      operation: 'mdmServerDevices',
      path: `/v1/mdmServers/${seg(checkServerId(id))}/relationships/devices`,
      fieldsType: 'orgDevices',
    },
    options,
  )) {
    yield r.id;
  }
}

async function writeServer(
  ctx: ApiContext,
  operation: string,
  method: 'POST' | 'PATCH',
  path: string,
  data: Record<string, unknown>,
  options: ApiCallOptions,
): Promise<MdmServer> {
  const doc = await ctx.http.send({
    operation,
    method,
    url: `${ctx.baseUrl}${path}`,
    path,
    json: { data },
    retrySafe: method === 'PATCH',
    auth: 'bearer',
    signal: options.signal,
  });
  const resource = readResource(doc);
  if (!resource) throw shapeError(operation, method, path);
  return flatten<MdmServer>(resource);
}

/** @internal */
export async function createMdmServer(
  ctx: ApiContext,
  input: CreateMdmServerInput,
  options: ApiCallOptions = {},
): Promise<MdmServer> {
  if (
    typeof input?.serverName !== 'string' ||
    input.serverName.trim() === '' ||
    input.serverName.length > 200
  ) {
    throw new InvalidArgumentError(
      'createMdmServer: serverName must be a non-empty string of at most 200 characters.',
    );
  }
  let der: Buffer;
  try {
    der = new X509Certificate(String(input.certificatePem)).raw;
  } catch {
    throw new CertificateError(
      'createMdmServer: certificatePem is not a PEM certificate. Pass the certificate from generateKeyPair() or manager.createKeyPair() (-----BEGIN CERTIFICATE-----).',
    );
  }
  const attributes: Record<string, unknown> = {
    serverName: input.serverName,
    serverCertificate: {
      name: input.certificateName ?? `${input.serverName}.pem`,
      data: der.toString('base64'),
    },
  };
  if (input.enableMdmDisownFlag !== undefined)
    attributes['enableMdmDisownFlag'] = input.enableMdmDisownFlag;
  return writeServer(
    ctx,
    'createMdmServer',
    'POST',
    '/v1/mdmServers',
    { type: 'mdmServers', attributes },
    options,
  );
}

/** @internal */
export async function updateMdmServer(
  ctx: ApiContext,
  id: string,
  input: UpdateMdmServerInput,
  options: ApiCallOptions = {},
): Promise<MdmServer> {
  const sid = checkServerId(id);
  const attributes: Record<string, unknown> = {};
  if (input?.serverName !== undefined) attributes['serverName'] = input.serverName;
  if (input?.defaultProductFamilies !== undefined) {
    if (
      !Array.isArray(input.defaultProductFamilies) ||
      input.defaultProductFamilies.some((f) => typeof f !== 'string')
    ) {
      throw new InvalidArgumentError(
        'updateMdmServer: defaultProductFamilies must be an array of strings such as "IPHONE".',
      );
    }
    attributes['defaultProductFamilies'] = [...input.defaultProductFamilies];
  }
  if (Object.keys(attributes).length === 0) {
    throw new InvalidArgumentError(
      'updateMdmServer: give serverName and/or defaultProductFamilies.',
    );
  }
  return writeServer(
    ctx,
    'updateMdmServer',
    'PATCH',
    `/v1/mdmServers/${seg(sid)}`,
    { type: 'mdmServers', id: sid, attributes },
    options,
  );
}
