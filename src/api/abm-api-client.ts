import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { resolveRetry } from '../client/options.js';
import { InvalidArgumentError } from '../errors/index.js';
import { redactingLogger } from '../internal/logger.js';
import { VERSION } from '../internal/version.js';
import { AccessTokenProvider } from './access-token.js';
import {
  type CreateActivityInput,
  createActivity,
  fetchActivityLog,
  getActivity,
  type WaitForActivityOptions,
  waitForActivity,
} from './activities.js';
import { ASSERTION_AUDIENCE } from './assertion.js';
import {
  type AssignDevicesToServerOptions,
  type AssignToServerReport,
  type AssignToServerSummary,
  assignDevicesToServer,
  type SerialSource,
} from './assign-to-server.js';
import type { ApiCallOptions, ApiContext } from './context.js';
import { type ApiCredentials, resolveCredentials } from './credentials.js';
import { ApiHttp } from './http.js';
import {
  type CreateMdmServerInput,
  createMdmServer,
  getMdmServer,
  listMdmServers,
  mdmServerDeviceSerials,
  type UpdateMdmServerInput,
  updateMdmServer,
} from './mdm-servers.js';
import {
  type AbmApiClientOptions,
  API_TOKEN_URL,
  BUSINESS_API_BASE_URL,
  SCHOOL_API_BASE_URL,
} from './options.js';
import {
  appleCareCoverage,
  getAssignedServer,
  getAssignedServerId,
  getOrgDevice,
  listOrgDevices,
} from './org-devices.js';
import type { ListOptions } from './paginate.js';
import { MemoryAccessTokenCache } from './token-cache.js';
import type {
  ActivityLog,
  AppleCareCoverage,
  MdmServer,
  OrgDevice,
  OrgDeviceActivity,
} from './types.js';

function checkUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`AbmApiClient option ${name} must be an absolute http(s) URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidArgumentError(`AbmApiClient option ${name} must be an absolute http(s) URL.`);
  }
  return value.replace(/\/+$/, '');
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {}).then(() => undefined);

/**
 * A client of Apple's REST API for Apple Business Manager and Apple School Manager (2025+): which
 * MDM server each organisation device belongs to, MDM servers, and org-device activities
 * (assign, unassign, release). It authenticates as an API account (OAuth 2 client credentials
 * with an ES256 client assertion minted locally), unlike `AbmClient`, which speaks the ADE
 * device-enrollment API with a server token.
 *
 * @example
 * ```ts
 * const api = new AbmApiClient({ clientId, keyId, privateKey: await readFile('key.pem', 'utf8') });
 * for await (const device of api.orgDevices({ fields: ['serialNumber', 'status'] })) console.log(device);
 * const report = await api.assignDevicesToServer(serverId, createReadStream('serials.csv'));
 * ```
 */
export class AbmApiClient {
  /** The API account's client id (not secret). */
  readonly clientId: string;
  /** The key id (not secret). */
  readonly keyId: string;
  /** API base URL in use. */
  readonly baseUrl: string;
  readonly #ctx: ApiContext;

  /**
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) for a client id without its `BUSINESSAPI.`/`SCHOOLAPI.`
   *   prefix, a malformed key id or URL; `PrivateKeyError` (`PRIVATE_KEY_INVALID`) for a key that is not a P-256
   *   private key PEM (an RSA key, a public key, a malformed or encrypted PEM).
   */
  constructor(options: AbmApiClientOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError(
        'new AbmApiClient(options) needs { clientId, keyId, privateKey }.',
      );
    }
    const creds: ApiCredentials = resolveCredentials(options);
    this.clientId = creds.clientId;
    this.keyId = creds.keyId;
    this.baseUrl = checkUrl(
      'baseUrl',
      options.baseUrl ?? (creds.flavor === 'school' ? SCHOOL_API_BASE_URL : BUSINESS_API_BASE_URL),
    );
    const tokenUrl = checkUrl('tokenUrl', options.tokenUrl ?? API_TOKEN_URL);
    const userAgent = options.userAgent ?? `abmkit/${VERSION}`;
    if (typeof userAgent !== 'string' || userAgent.trim() === '') {
      throw new InvalidArgumentError('AbmApiClient option userAgent must not be empty.');
    }
    const now = options.now ?? Date.now;
    const tokens = new AccessTokenProvider({
      credentials: creds,
      cache: options.tokenCache ?? new MemoryAccessTokenCache(),
      tokenUrl,
      audience: options.audience ?? ASSERTION_AUDIENCE,
      now,
    });
    const http = new ApiHttp({
      userAgent,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs ?? 30_000,
      deadlineMs: options.deadlineMs ?? 120_000,
      retry: resolveRetry(options.retry),
      logger: redactingLogger(options.logger),
      signal: options.signal,
      maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
      accessToken: (signal) => tokens.get(signal),
      refreshAccessToken: (rejected, signal) => tokens.refresh(rejected, signal),
    });
    tokens.attach(http);
    this.#ctx = {
      http,
      baseUrl: this.baseUrl,
      now,
      sleep: options.sleep ?? defaultSleep,
      maxLogBytes: 16 * 1024 * 1024,
    };
  }

  /** Every device in the organisation, page by page (`GET /v1/orgDevices`). */
  orgDevices(options?: ListOptions): AsyncIterable<OrgDevice> {
    return listOrgDevices(this.#ctx, options);
  }

  /** One organisation device by serial number (`GET /v1/orgDevices/{serial}`). */
  orgDevice(
    serial: string,
    options?: ApiCallOptions & { fields?: readonly string[] },
  ): Promise<OrgDevice> {
    return getOrgDevice(this.#ctx, serial, options);
  }

  /** The id of the MDM server a device is assigned to, or `null` when on none. */
  assignedServerId(serial: string, options?: ApiCallOptions): Promise<string | null> {
    return getAssignedServerId(this.#ctx, serial, options);
  }

  /** The MDM server a device is assigned to, or `null`. */
  assignedServer(serial: string, options?: ApiCallOptions): Promise<MdmServer | null> {
    return getAssignedServer(this.#ctx, serial, options);
  }

  /** AppleCare coverage of a device. */
  appleCareCoverage(serial: string, options?: ListOptions): AsyncIterable<AppleCareCoverage> {
    return appleCareCoverage(this.#ctx, serial, options);
  }

  /** Every MDM server (device management service) of the organisation. */
  mdmServers(options?: ListOptions): AsyncIterable<MdmServer> {
    return listMdmServers(this.#ctx, options);
  }

  /** One MDM server. */
  mdmServer(
    id: string,
    options?: ApiCallOptions & { fields?: readonly string[] },
  ): Promise<MdmServer> {
    return getMdmServer(this.#ctx, id, options);
  }

  /** Serial numbers of the devices assigned to a server. */
  mdmServerDevices(id: string, options?: ListOptions): AsyncIterable<string> {
    return mdmServerDeviceSerials(this.#ctx, id, options);
  }

  /** Creates an MDM server with the certificate Apple will encrypt its server token to. */
  createMdmServer(input: CreateMdmServerInput, options?: ApiCallOptions): Promise<MdmServer> {
    return createMdmServer(this.#ctx, input, options);
  }

  /**
   * Updates a server's name and/or default product families. Setting `defaultProductFamilies`
   * is the product guide's Automatic Assignment: new devices of those families go to this server.
   */
  updateMdmServer(
    id: string,
    input: UpdateMdmServerInput,
    options?: ApiCallOptions,
  ): Promise<MdmServer> {
    return updateMdmServer(this.#ctx, id, input, options);
  }

  /**
   * Creates an org-device activity (assign, unassign, release, migration deadline). It runs
   * asynchronously at Apple: wait for it with {@link AbmApiClient.waitForActivity}.
   * `RELEASE_DEVICES` requires `confirmRelease: true`.
   */
  createActivity(input: CreateActivityInput, options?: ApiCallOptions): Promise<OrgDeviceActivity> {
    return createActivity(this.#ctx, input, options);
  }

  /** Assigns devices to a server (one activity; see {@link AbmApiClient.assignDevicesToServer} for any number). */
  assignDevices(
    serverId: string,
    serials: readonly string[],
    options?: ApiCallOptions,
  ): Promise<OrgDeviceActivity> {
    return createActivity(
      this.#ctx,
      { activityType: 'ASSIGN_DEVICES', serverId, serials },
      options,
    );
  }

  /** Unassigns devices from a server (one activity). */
  unassignDevices(
    serverId: string,
    serials: readonly string[],
    options?: ApiCallOptions,
  ): Promise<OrgDeviceActivity> {
    return createActivity(
      this.#ctx,
      { activityType: 'UNASSIGN_DEVICES', serverId, serials },
      options,
    );
  }

  /** Releases devices from the organisation, irreversibly. Requires `{ confirmRelease: true }`. */
  releaseDevices(
    serials: readonly string[],
    options: ApiCallOptions & { confirmRelease: boolean },
  ): Promise<OrgDeviceActivity> {
    return createActivity(
      this.#ctx,
      {
        activityType: 'RELEASE_DEVICES',
        serials,
        confirmRelease: options?.confirmRelease === true,
      },
      options,
    );
  }

  /** One activity (`GET /v1/orgDeviceActivities/{id}`). */
  activity(id: string, options?: ApiCallOptions): Promise<OrgDeviceActivity> {
    return getActivity(this.#ctx, id, options);
  }

  /** Polls an activity until `COMPLETED`, `FAILED` or `STOPPED`, with doubling delays. */
  waitForActivity(id: string, options?: WaitForActivityOptions): Promise<OrgDeviceActivity> {
    return waitForActivity(this.#ctx, id, options);
  }

  /**
   * Downloads an activity's log: per-serial outcomes where its (unconfirmed) format allows, the
   * raw text always. `undefined` when the activity has no `downloadUrl` yet.
   */
  activityLog(
    activity: Pick<OrgDeviceActivity, 'id' | 'downloadUrl'>,
    options?: ApiCallOptions,
  ): Promise<ActivityLog | undefined> {
    return fetchActivityLog(this.#ctx, activity, options);
  }

  /**
   * Puts devices on an MDM server, from a serial list or a CSV (text, bytes or stream, parsed
   * incrementally like `parseSerialCsv`): normalises and de-duplicates serials, sends each chunk
   * of `chunkSize` as an activity as soon as it is full, with bounded concurrency, waits for
   * them, and returns one report. With `report: 'counts'` the report has counts only, so memory
   * holds no list per serial (only the exact de-duplication set, 10–20 bytes per distinct
   * serial); `onSerial` sees each serial's outcome.
   */
  assignDevicesToServer(
    serverId: string,
    serials: SerialSource,
    options: AssignDevicesToServerOptions & { report: 'counts' },
  ): Promise<AssignToServerSummary>;
  /** The default report: every serial listed by outcome. */
  assignDevicesToServer(
    serverId: string,
    serials: SerialSource,
    options?: AssignDevicesToServerOptions & { report?: 'lists' },
  ): Promise<AssignToServerReport>;
  /** Either report, when `options.report` is not known statically. */
  assignDevicesToServer(
    serverId: string,
    serials: SerialSource,
    options?: AssignDevicesToServerOptions,
  ): Promise<AssignToServerReport | AssignToServerSummary>;
  assignDevicesToServer(
    serverId: string,
    serials: SerialSource,
    options?: AssignDevicesToServerOptions,
  ): Promise<AssignToServerReport | AssignToServerSummary> {
    return assignDevicesToServer(this.#ctx, serverId, serials, options);
  }

  /** @internal */
  [inspect.custom](): string {
    return `AbmApiClient { clientId: '${this.clientId}', keyId: '${this.keyId}', baseUrl: '${this.baseUrl}' }`;
  }

  /** @internal */
  toJSON(): Record<string, string> {
    return { clientId: this.clientId, keyId: this.keyId, baseUrl: this.baseUrl };
  }
}
