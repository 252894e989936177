import { MemorySessionCache } from '../auth/session-cache.js';
import { InvalidArgumentError, isAbmError } from '../errors/index.js';
import { type AbmLogger, redactingLogger } from '../internal/logger.js';
import { VERSION } from '../internal/version.js';
import { DeviceIterator } from '../pagination/device-iterator.js';
import {
  type DevicePage,
  type DevicePagesOptions,
  iterateDevicePages,
} from '../pagination/device-pages.js';
import type { AdeProfileResponse } from '../profiles/profile-schema.js';
import { type AdeProfileInput, validateProfile } from '../profiles/profile-schema.js';
import {
  type AccountDrivenEnrollmentProfile,
  getAccountDrivenEnrollmentProfileOperation,
  removeAccountDrivenEnrollmentProfileOperation,
  setAccountDrivenEnrollmentProfileOperation,
} from '../resources/account-driven-enrollment.js';
import {
  type ActivationLockInput,
  type ActivationLockResponse,
  activationLockOperation,
} from '../resources/activation-lock.js';
import { type AssignProfileResult, assignProfileOperation } from '../resources/assign-profile.js';
import { type DefineProfileResult, defineProfileOperation } from '../resources/define-profile.js';
import {
  clampLimit,
  type DeviceListRequest,
  type DeviceListResponse,
} from '../resources/device-list.js';
import { disownDevicesOperation } from '../resources/disown-devices.js';
import { fetchDevicesOperation } from '../resources/fetch-devices.js';
import { type AccountDetail, getAccountOperation } from '../resources/get-account.js';
import {
  type BetaEnrollmentToken,
  getBetaEnrollmentTokensOperation,
} from '../resources/get-beta-enrollment-tokens.js';
import {
  type DeviceDetailsResult,
  getDeviceDetailsOperation,
} from '../resources/get-device-details.js';
import { getProfileOperation } from '../resources/get-profile.js';
import {
  getReplacementDetailsOperation,
  type ReplacementDetails,
} from '../resources/get-replacement-details.js';
import { removeProfileOperation } from '../resources/remove-profile.js';
import type { SerialResults, SerialStatus } from '../resources/serial-results.js';
import { syncDevicesOperation } from '../resources/sync-devices.js';
import type { AdeDevice } from '../schemas/device.js';
import {
  MAX_SERIALS_PER_REQUEST,
  mapSerialChunks,
  mergeSerialMaps,
  normaliseSerials,
} from './batch.js';
import { checkOptions, checkRequestOptions, getClientOptionsSchema } from './option-schemas.js';
import {
  type AbmClientOptions,
  DEFAULT_BASE_URL,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_PROTOCOL_VERSION,
  type RequestOptions,
  resolveDurationMs,
  resolveRetry,
} from './options.js';
import { checkPageLength } from './page-length.js';
import { Transport } from './transport.js';

function requireString(value: unknown, name: string, operation: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(`${operation} needs ${name} as a non-empty string.`);
  }
  return value;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`AbmClient option ${name} must be a positive number.`);
  }
  return value;
}

/**
 * A typed, authenticated and resilient client for Apple's ADE (DEP) web service at
 * `mdmenrollment.apple.com`: every device-assignment endpoint, OAuth1 sessions handled for you,
 * retries with backoff, and cursor iterators.
 *
 * @example
 * ```ts
 * import { AbmClient, decryptServerToken } from 'abmkit';
 * const client = new AbmClient({ token: await decryptServerToken(p7m, keyPem), userAgent: 'MyMdm/1.0' });
 * for await (const page of client.devicePages({ cursor: saved })) {
 *   await apply(page.devices);
 *   saved = page.cursor;
 * }
 * ```
 */
export class AbmClient {
  readonly #transport: Transport;
  readonly #concurrency: number;
  readonly #assignMethod: 'POST' | 'PUT';
  readonly #logger: AbmLogger;

  constructor(options: AbmClientOptions) {
    if (options !== null && typeof options === 'object') {
      checkOptions('AbmClient options', getClientOptionsSchema, options);
    }
    const token = options?.token;
    if (
      !token ||
      typeof token.consumerKey !== 'string' ||
      typeof token.consumerSecret !== 'string' ||
      typeof token.accessToken !== 'string' ||
      typeof token.accessSecret !== 'string' ||
      !(token.accessTokenExpiry instanceof Date)
    ) {
      throw new InvalidArgumentError(
        'AbmClient needs options.token: a ServerToken from decryptServerToken() (consumerKey, consumerSecret, accessToken, accessSecret, accessTokenExpiry).',
      );
    }
    const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    try {
      new URL(baseUrl);
    } catch (cause) {
      throw new InvalidArgumentError(`AbmClient option baseUrl is not an absolute URL.`, { cause });
    }
    const userAgent = options.userAgent ?? `abmkit/${VERSION}`;
    if (userAgent.trim() === '') {
      throw new InvalidArgumentError(
        'AbmClient option userAgent must not be empty: Apple rejects requests without one.',
      );
    }
    this.#logger = redactingLogger(options.logger);
    this.#concurrency = Math.floor(positive(options.concurrency, 4, 'concurrency'));
    this.#assignMethod = options.assignProfileMethod ?? 'POST';
    this.#transport = new Transport({
      token,
      baseUrl,
      userAgent,
      protocolVersion: Math.floor(
        positive(options.protocolVersion, DEFAULT_PROTOCOL_VERSION, 'protocolVersion'),
      ),
      fetch: options.fetch,
      timeoutMs: resolveDurationMs(options.timeoutMs, 30_000, 'AbmClient option timeoutMs'),
      deadlineMs: resolveDurationMs(options.deadlineMs, 120_000, 'AbmClient option deadlineMs'),
      maxResponseBytes: Math.floor(
        positive(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes'),
      ),
      retry: resolveRetry(options.retry),
      logger: this.#logger,
      signal: options.signal,
      sessionCache: options.sessionCache ?? new MemorySessionCache(),
    });
  }

  /** Sends through the transport after checking the call's options (typed error at the door). */
  #send: Transport['send'] = (op, input, options) =>
    this.#transport.send(op, input, checkRequestOptions(options, op.name ?? 'call'));

  /** `GET /account`: the MDM server and organisation behind the token. */
  async getAccount(options: RequestOptions = {}): Promise<AccountDetail> {
    return this.#send(getAccountOperation, {}, options);
  }

  /**
   * `POST /server/devices`: one page of the full device list. Prefer {@link AbmClient.devicePages},
   * which handles cursors. Throws `CursorExhaustedError` when the fetch is complete.
   */
  async fetchDevices(
    request: DeviceListRequest = {},
    options: RequestOptions = {},
  ): Promise<DeviceListResponse> {
    return this.#devicePage(fetchDevicesOperation, request, options);
  }

  /** `POST /devices/sync`: one page of changes since `cursor`. Prefer {@link AbmClient.devicePages}. */
  async syncDevices(
    request: DeviceListRequest & { cursor: string },
    options: RequestOptions = {},
  ): Promise<DeviceListResponse> {
    requireString(request?.cursor, 'a cursor', 'syncDevices');
    return this.#devicePage(syncDevicesOperation, request, options);
  }

  /** One fetch or sync page, refused when it carries more devices than were asked for. */
  async #devicePage(
    op: typeof fetchDevicesOperation,
    request: DeviceListRequest,
    options: RequestOptions,
  ): Promise<DeviceListResponse> {
    const body = listBody(request);
    const page = await this.#send(op, { json: body }, options);
    checkPageLength(page, body.limit, op);
    return page;
  }

  /**
   * Device pages as an async iterator: a full fetch without a cursor, or a continuation from a
   * stored one; `EXHAUSTED_CURSOR` switches to sync, `EXPIRED_CURSOR`/`INVALID_CURSOR` restart a
   * full fetch (`restarted: true`), and a repeated cursor stops the loop (`stalled: true`).
   * Persist `page.cursor` after applying each page. `break` stops cleanly.
   */
  devicePages(options: DevicePagesOptions = {}): AsyncGenerator<DevicePage, void, undefined> {
    return iterateDevicePages(
      {
        fetch: (req, signal) => this.fetchDevices(req, signal ? { signal } : {}),
        sync: (req, signal) =>
          this.#devicePage(syncDevicesOperation, req, signal ? { signal } : {}),
        logger: this.#logger,
      },
      options,
    );
  }

  /** Every device of {@link AbmClient.devicePages}, one at a time. */
  devices(options: DevicePagesOptions = {}): AsyncGenerator<AdeDevice, void, undefined> {
    // Not an async generator: one of those spends several promise turns on every device.
    return new DeviceIterator(this.devicePages(options));
  }

  /**
   * `POST /devices`: details for any number of serials (sent in chunks of 1000). Serials Apple
   * did not answer for are listed in `missing`.
   */
  async getDeviceDetails(
    serials: readonly string[],
    options: RequestOptions = {},
  ): Promise<DeviceDetailsResult> {
    const list = normaliseSerials(serials, 'getDeviceDetails');
    const pages = await this.#chunked(list, (devices) =>
      this.#send(getDeviceDetailsOperation, { json: { devices } }, options),
    );
    return mergeSerialMaps<AdeDevice>(
      list,
      pages.map((p) => p.devices),
    );
  }

  /**
   * `POST /devices/disown`: irreversibly releases devices from this MDM server. Not replayed after
   * an ambiguous failure. Serials Apple did not answer for are listed in `missing`.
   */
  async disownDevices(
    serials: readonly string[],
    options: RequestOptions = {},
  ): Promise<SerialResults<SerialStatus>> {
    const list = normaliseSerials(serials, 'disownDevices');
    const pages = await this.#chunked(list, (devices) =>
      this.#send(disownDevicesOperation, { json: { devices } }, options),
    );
    return mergeSerialMaps(
      list,
      pages.map((p) => p.devices),
    );
  }

  /**
   * `POST /profile`: validates the profile locally (throws `ProfileValidationError` listing every
   * problem), then creates it. Not replayed after an ambiguous failure (each call mints a UUID).
   * If `devices` lists more than 1000 serials, the first 1000 go with the definition and the rest
   * are assigned with assign-profile; results are merged. Once the profile exists, this method
   * returns its UUID even if assigning the rest fails: answers of the assign chunks that succeeded
   * stay in `devices`, the serials with no answer are listed in `missing` (assign them later with
   * {@link AbmClient.assignProfile}) and the failure is logged as a warning, so that a retry never
   * defines the profile twice.
   */
  async defineProfile(
    profile: AdeProfileInput,
    options: RequestOptions = {},
  ): Promise<DefineProfileResult> {
    const valid = validateProfile(profile);
    const serials = valid.devices ? normaliseSerials(valid.devices, 'defineProfile') : [];
    const first = serials.slice(0, MAX_SERIALS_PER_REQUEST);
    const rest = serials.slice(MAX_SERIALS_PER_REQUEST);
    const body = serials.length > 0 ? { ...valid, devices: first } : valid;
    const created = await this.#send(defineProfileOperation, { json: body }, options);
    const maps: (Record<string, string> | null | undefined)[] = [created.devices];
    if (rest.length > 0) {
      try {
        const assigned = await this.assignProfile(created.profile_uuid, rest, options);
        maps.push(assigned.devices);
      } catch (error) {
        // The profile exists: losing its UUID here would make the caller define it again.
        // Keep the answers of the assign chunks that did succeed; only the rest stays missing.
        const partial = isAbmError(error) ? error.partialResult : undefined;
        if (partial) maps.push(partial.devices as Readonly<Record<string, string>>);
        this.#logger.warn(
          {
            event: 'profile.assign_rest_failed',
            operation: 'defineProfile',
            serials: rest.length,
            unanswered: partial ? partial.pending.length : rest.length,
            code: isAbmError(error) ? error.code : 'UNKNOWN',
          },
          'abmkit: profile defined, but assigning the serials beyond the first 1000 failed; they are listed in missing',
        );
      }
    }
    return { profile_uuid: created.profile_uuid, ...mergeSerialMaps(serials, maps) };
  }

  /** `GET /profile?profile_uuid=…`: a profile as Apple stores it. */
  async getProfile(profileUuid: string, options: RequestOptions = {}): Promise<AdeProfileResponse> {
    const uuid = requireString(profileUuid, 'a profile UUID', 'getProfile');
    return this.#send(getProfileOperation, { searchParams: { profile_uuid: uuid } }, options);
  }

  /**
   * Assigns a profile to serials (chunks of 1000, bounded concurrency, merged maps). Check each
   * serial's status: `THROTTLED` ones should be retried after `retry_after_seconds`, and `missing`
   * ones were not answered for. Uses POST unless `assignProfileMethod: 'PUT'`.
   */
  async assignProfile(
    profileUuid: string,
    serials: readonly string[],
    options: RequestOptions = {},
  ): Promise<AssignProfileResult> {
    const uuid = requireString(profileUuid, 'a profile UUID', 'assignProfile');
    const list = normaliseSerials(serials, 'assignProfile');
    const op = assignProfileOperation(this.#assignMethod);
    const pages = await this.#chunked(list, (devices) =>
      this.#send(op, { json: { profile_uuid: uuid, devices } }, options),
    );
    const result: AssignProfileResult = {
      profile_uuid: uuid,
      ...mergeSerialMaps(
        list,
        pages.map((p) => p.devices),
      ),
    };
    const waits = pages
      .map((p) => p.retry_after_seconds)
      .filter((s): s is number => typeof s === 'number');
    if (waits.length > 0) result.retry_after_seconds = Math.max(...waits);
    return result;
  }

  /** `DELETE /profile/devices`: removes the profile assignment from serials (chunks of 1000). */
  async removeProfile(
    serials: readonly string[],
    options: RequestOptions & { profileUuid?: string } = {},
  ): Promise<SerialResults<SerialStatus>> {
    const list = normaliseSerials(serials, 'removeProfile');
    const { profileUuid, ...requestOptions } = checkRequestOptions(options, 'removeProfile');
    const pages = await this.#chunked(list, (devices) =>
      this.#send(
        removeProfileOperation,
        { json: profileUuid === undefined ? { devices } : { devices, profile_uuid: profileUuid } },
        requestOptions,
      ),
    );
    return mergeSerialMaps(
      list,
      pages.map((p) => p.devices),
    );
  }

  /** `POST /device/activationlock`: locks one device. Not replayed after an ambiguous failure. */
  async activationLock(
    input: ActivationLockInput,
    options: RequestOptions = {},
  ): Promise<ActivationLockResponse> {
    const device = requireString(input?.device, 'a device serial', 'activationLock');
    const body: Record<string, string> = { device };
    if (input.escrowKey !== undefined) body['escrow_key'] = input.escrowKey;
    if (input.lostMessage !== undefined) body['lost_message'] = input.lostMessage;
    return this.#send(activationLockOperation, { json: body }, options);
  }

  /** `GET /os-beta-enrollment/tokens`: AppleSeed for IT beta-enrollment tokens. */
  async getBetaEnrollmentTokens(options: RequestOptions = {}): Promise<BetaEnrollmentToken[]> {
    const res = await this.#send(getBetaEnrollmentTokensOperation, {}, options);
    return res.betaEnrollmentTokens ?? res.seedBuildTokens ?? [];
  }

  /** `GET /account-driven-enrollment/profile`: the MDM service-discovery URL. `NotFoundError` if none is set. */
  async getAccountDrivenEnrollmentProfile(
    options: RequestOptions = {},
  ): Promise<AccountDrivenEnrollmentProfile> {
    return this.#send(getAccountDrivenEnrollmentProfileOperation, {}, options);
  }

  /** `POST /account-driven-enrollment/profile`: sets the MDM service-discovery URL (https). */
  async setAccountDrivenEnrollmentProfile(
    url: string,
    options: RequestOptions = {},
  ): Promise<void> {
    const value = requireString(
      url,
      'an https service-discovery URL',
      'setAccountDrivenEnrollmentProfile',
    );
    await this.#send(
      setAccountDrivenEnrollmentProfileOperation,
      { json: { mdm_service_discovery_url: value } },
      options,
    );
  }

  /** `DELETE /account-driven-enrollment/profile`: removes the service-discovery URL. */
  async removeAccountDrivenEnrollmentProfile(options: RequestOptions = {}): Promise<void> {
    await this.#send(removeAccountDrivenEnrollmentProfileOperation, {}, options);
  }

  /** `GET /device/replacementDetails`: which device a replacement replaced (protocol ≥ 10). */
  async getReplacementDetails(
    serial: string,
    options: RequestOptions = {},
  ): Promise<ReplacementDetails> {
    const device = requireString(serial, 'a serial number', 'getReplacementDetails');
    return this.#send(getReplacementDetailsOperation, { searchParams: { device } }, options);
  }

  /** Sends `serials` in chunks; a failure after some chunks succeeded carries `partialResult`. */
  async #chunked<R extends { devices?: Record<string, unknown> | null | undefined }>(
    serials: string[],
    send: (chunk: string[]) => Promise<R>,
  ): Promise<R[]> {
    if (serials.length === 0) return [];
    return mapSerialChunks(serials, this.#concurrency, send, (answer) => answer.devices);
  }
}

function listBody(request: DeviceListRequest): { cursor?: string; limit: number } {
  const limit = clampLimit(request?.limit);
  return request?.cursor ? { cursor: request.cursor, limit } : { limit };
}
