/**
 * Public types of the ADE simulator.
 *
 * @module
 */

import type { AbmLogger } from '../../internal/logger.js';
import type { SimActivateOptions, SimActivation } from './activate.js';

/** A hardware platform the simulator can generate. `Watch` is off by default (weight 0). */
export type SimPlatform = 'iPhone' | 'iPad' | 'Mac' | 'AppleTV' | 'Vision' | 'Watch';

/** Names of the simulated endpoints, used by faults, the request log and counters. */
export type SimEndpoint =
  | 'session'
  | 'account'
  | 'fetchDevices'
  | 'syncDevices'
  | 'deviceDetails'
  | 'disownDevices'
  | 'defineProfile'
  | 'getProfile'
  | 'assignProfile'
  | 'removeProfile'
  | 'activationLock'
  | 'betaEnrollmentTokens'
  | 'getAdeServiceDiscovery'
  | 'setAdeServiceDiscovery'
  | 'removeAdeServiceDiscovery'
  | 'replacementDetails';

/**
 * A request to the simulator core, independent of any HTTP stack. Both front ends (node:http and
 * msw) translate to this; you can also call {@link DepSimulator.handle} directly.
 */
export interface SimRequest {
  /** HTTP method, any case. */
  method: string;
  /** Path without query string, e.g. `/server/devices`. */
  path: string;
  /** Query parameters (first value of each). */
  query?: Readonly<Record<string, string>>;
  /** Request headers; names are matched case-insensitively. */
  headers?: Readonly<Record<string, string | undefined>>;
  /** Raw request body (JSON text for ADE endpoints). */
  body?: string | undefined;
  /**
   * Absolute URL the client used. OAuth 1.0a signatures on `/session` are checked against it.
   * @default `http://<Host header><path>`, or `https://mdmenrollment.apple.com<path>` without a Host.
   */
  url?: string;
}

/** The simulator's answer to a {@link SimRequest}. */
export interface SimResponse {
  /** HTTP status. */
  status: number;
  /** Response headers (lower-case names). */
  headers: Record<string, string>;
  /** Response body (may be empty). */
  body: string;
  /** When `true`, the front end must drop the connection instead of answering (fault injection). */
  drop?: boolean;
}

/** How error bodies are written: Apple's docs show plain text, depsim quotes, some mocks use JSON. */
export type SimErrorBodyStyle = 'text' | 'quoted' | 'json';

/** The four OAuth 1.0a credentials of a server token, with the JSON names used inside the `.p7m`. */
export interface SimTokenCredentials {
  /** `CK_…` */
  consumer_key: string;
  /** `CS_…` (secret). */
  consumer_secret: string;
  /** `AT_…` (secret). */
  access_token: string;
  /** `AS_…` (secret). */
  access_secret: string;
  /** Expiry, `YYYY-MM-DDTHH:MM:SSZ`. */
  access_token_expiry: string;
}

/** Options of {@link SimTokens.create}. Unset credentials are generated at random. */
export interface SimTokenOptions extends Partial<Omit<SimTokenCredentials, 'access_token_expiry'>> {
  /** When the token expires. @default one year after the simulator's current time */
  expiresAt?: Date | string;
}

/** Session behaviour of `GET /session` and the `X-ADM-Auth-Session` header. */
export interface SimSessionOptions {
  /** Lifetime of a session token (simulator clock). @default 1_800_000 (30 minutes) */
  ttlMs?: number;
  /** Number of API calls a session token may serve; unlimited when unset. */
  maxRequests?: number;
  /**
   * Probability (0–1) that a successful API response rotates the session: it carries a new
   * `X-ADM-Auth-Session` header and the old token stops working. Drawn from the seed.
   * @default 0
   */
  rotateProbability?: number;
  /**
   * Answer for unknown or expired sessions: `unauthorized` (401 `UNAUTHORIZED`, Apple's docs) or
   * `forbidden` (403 `FORBIDDEN`, as Apple's depsim does).
   * @default 'unauthorized'
   */
  unknownSession?: 'unauthorized' | 'forbidden';
}

/** Page-size limits of fetch and sync. */
export interface SimLimitOptions {
  /** Page size when `limit` is absent or ≤ 0. @default 100 */
  fetchDefault?: number;
  /** Largest page size. @default 1000 */
  fetchMaximum?: number;
  /**
   * What to do with a `limit` above the maximum: `clamp` it (serve the maximum) or `reject` the
   * request with 400 `MALFORMED_REQUEST_BODY`.
   * @default 'clamp'
   */
  overLimit?: 'clamp' | 'reject';
  /** Most serials per assign/remove/details/disown/define request; more gives 400. @default 1000 */
  maxSerialsPerRequest?: number;
}

/** Per-serial throttling of assign-profile. */
export interface SimThrottleOptions {
  /** Serials that may be assigned per window before further ones come back `THROTTLED`. */
  maxSerialsPerWindow?: number;
  /** Window length (simulator clock). @default 60_000 */
  windowMs?: number;
  /** `retry_after_seconds` reported at protocol ≥ 10. @default 60 */
  retryAfterSeconds?: number;
}

/** Account details served by `GET /account` (Apple's field names). */
export interface SimAccountDetail {
  /** MDM server name. */
  server_name: string;
  /** MDM server id. */
  server_uuid: string;
  /** Apple Account that generated the token. */
  admin_id: string;
  /** Organisation name. */
  org_name: string;
  /** Organisation e-mail. */
  org_email: string;
  /** Organisation phone. */
  org_phone: string;
  /** Organisation address. */
  org_address: string;
  /** Organisation id (protocol ≥ 3). */
  org_id: string;
  /** Hash of the organisation id (protocol ≥ 3). */
  org_id_hash: string;
  /** `org` or `edu` (protocol ≥ 3). */
  org_type: string;
  /** `v1` or `v2` (protocol ≥ 3). */
  org_version: string;
}

/** Options of {@link createDepSimulator}. Every field is optional. */
export interface DepSimulatorOptions {
  /** Size of the generated device population. @default 100 */
  devices?: number;
  /** Seed of everything generated (devices, UUIDs, session tokens, rotation draws). @default 1 */
  seed?: number | string;
  /** Clock source in epoch milliseconds (or a Date). {@link SimClock.advance} adds to it. @default Date.now */
  now?: () => number | Date;
  /**
   * Platform mix as relative weights, merged over the defaults: platforms you name get your
   * weight, the others keep theirs. For a single platform, set the others to 0
   * (e.g. `{ Mac: 1, iPhone: 0, iPad: 0, AppleTV: 0, Vision: 0 }`).
   * @default iPhone 40, iPad 25, Mac 30, AppleTV 4, Vision 1, Watch 0
   */
  platforms?: Partial<Record<SimPlatform, number>>;
  /** The population's `device_assigned_date`s end here. @default 2025-06-01T00:00:00Z */
  populationEnd?: Date | string;
  /** …and start this many days earlier. @default 1095 */
  populationSpanDays?: number;
  /** E-mail addresses used for `device_assigned_by`. */
  admins?: readonly string[];
  /** Overrides of the `/account` details. */
  account?: Partial<SimAccountDetail>;
  /** Protocol version assumed when `X-Server-Protocol-Version` is absent or invalid. @default 1 */
  defaultProtocolVersion?: number;
  /** Fetch/sync page sizes and per-request serial limits. */
  limits?: SimLimitOptions;
  /** Age after which sync rejects a cursor with `EXPIRED_CURSOR`. @default 7 days */
  cursorMaxAgeMs?: number;
  /** Session lifetime, request budget, rotation. */
  session?: SimSessionOptions;
  /** Accepted clock skew of `oauth_timestamp` either way. @default 300_000 (5 minutes) */
  oauthTimestampWindowMs?: number;
  /**
   * The clock `oauth_timestamp` freshness (and nonce reuse) is judged on. Apple compares with real
   * time, and clients sign with real time, so this clock ignores {@link SimClock.advance} and
   * {@link SimClock.set}: moving the simulator clock 8 days ahead to expire a cursor does not make
   * the next login fail with `timestamp_refused`.
   * @default the `now` source without the `advance`/`set` offset (real time unless `now` is injected)
   */
  oauthNow?: () => number | Date;
  /** Assign-profile throttling (off by default). */
  throttle?: SimThrottleOptions;
  /** Style of error bodies. @default 'text' */
  errorBodyStyle?: SimErrorBodyStyle;
  /** User-Agent values answered with 400 `USER_AGENT_INVALID` (substring or RegExp). @default none */
  invalidUserAgents?: readonly (string | RegExp)[];
  /** Credentials accepted from the start (e.g. fixed ones for a demo). */
  tokens?: readonly SimTokenOptions[];
  /** Most request-log entries kept (oldest dropped first). @default 10_000 */
  requestLogLimit?: number;
  /** Waits for `delayMs` faults. @default a real timer */
  sleep?: (ms: number) => Promise<void>;
  /** Receives one debug line per request (no secrets). */
  logger?: AbmLogger;
}

/** A device as the simulator holds it: Apple's field names, all fields of the newest protocol. */
export interface SimDevice {
  /** 12-character serial. */
  serial_number: string;
  /** Model name. */
  model: string;
  /** Upper-case description. */
  description: string;
  /** Colour. */
  color: string;
  /** Asset tag (about 40% of generated devices have one). */
  asset_tag?: string;
  /** `empty`, `assigned`, `pushed` or `removed`. */
  profile_status: string;
  /** Assigned profile. */
  profile_uuid?: string;
  /** When the profile was assigned. */
  profile_assign_time?: string;
  /** When the device fetched the profile. */
  profile_push_time?: string;
  /** When the device was assigned to this MDM server. */
  device_assigned_date: string;
  /** Who assigned it. */
  device_assigned_by: string;
  /** `iOS`, `iPadOS`, `OSX`, `tvOS`, `visionOS`, `watchOS` (iPads report `iOS` below protocol 7). */
  os: string;
  /** `iPhone`, `iPad`, `Mac`, `AppleTV`, `Vision`, `Watch`. */
  device_family: string;
  /** Protocol ≥ 8. */
  mdm_migration_deadline?: string;
  /** Protocol ≥ 10: eSIM EID of cellular devices. */
  eid?: string;
  /** Protocol ≥ 10. */
  wifi_mac_address?: string;
  /** Protocol ≥ 10. */
  bluetooth_mac_address?: string;
  /** Protocol ≥ 10: Ethernet MACs of devices with a port. */
  ethernet_mac_address?: string[];
  /** Protocol ≥ 10: IMEIs of cellular devices. */
  imei?: string[];
  /** Protocol ≥ 10: MEIDs of cellular devices. */
  meid?: string[];
  /** Protocol ≥ 10. */
  is_replacement_device?: boolean;
}

/** Fields {@link SimDevices.add} and {@link SimDevices.modify} accept; `undefined` removes a field. */
export type SimDevicePatch = {
  [K in Exclude<keyof SimDevice, 'serial_number'>]?: SimDevice[K] | undefined;
};

/** Input of {@link SimDevices.add}. */
export interface SimDeviceInput extends SimDevicePatch {
  /** Serial; generated when absent. */
  serial_number?: string;
  /** Platform of a generated device. @default drawn from the platform mix */
  platform?: SimPlatform;
}

/** A forced per-serial outcome of assign-profile. */
export type SimAssignOutcome = 'SUCCESS' | 'FAILED' | 'THROTTLED';

/** Memory footprint of the population: only changed devices are materialised. */
export interface SimDeviceStats {
  /** Generated population size. */
  population: number;
  /** Devices added with {@link SimDevices.add}. */
  added: number;
  /** Devices no longer assigned to the server. */
  removed: number;
  /** Devices held in memory (changed or added): everything else is generated on demand. */
  materialised: number;
  /** @deprecated Use {@link SimDeviceStats.materialised}: the same count, one spelling. */
  materialized: number;
  /** Sync events recorded. */
  events: number;
}

/** The simulator's clock. */
export interface SimClock {
  /** Current simulator time, epoch milliseconds. */
  now(): number;
  /** Moves time forward (or backward with a negative value). */
  advance(ms: number): void;
  /** Jumps to an absolute time. */
  set(time: Date | number): void;
}

/** Device helpers: change the population the way an ABM admin would. */
export interface SimDevices {
  /** Devices currently assigned to the server. */
  readonly count: number;
  /** Serial of the `index`-th generated device (0-based), whether or not still assigned. */
  serialAt(index: number): string;
  /** First `n` serials currently assigned, in fetch order. */
  serials(n: number): string[];
  /** A device currently assigned to the server, or `undefined`. */
  get(serial: string): SimDevice | undefined;
  /** Assigns a new (or previously removed) device to the server: sync reports `added`. */
  add(input?: SimDeviceInput): SimDevice;
  /** Changes fields of an assigned device: sync reports `modified`. */
  modify(serial: string, patch: SimDevicePatch): SimDevice;
  /** Releases a device from the server: sync reports `deleted`. */
  remove(serial: string): void;
  /**
   * Replaces a device under AppleCare: the old one is released (`deleted`,
   * `released_by_replacement: true`), a new one is added with `is_replacement_device: true`, and
   * `GET /device/replacementDetails` links them.
   */
  replace(serial: string, input?: SimDeviceInput): SimDevice;
  /** Simulates devices downloading their profile: `profile_status` becomes `pushed`. */
  markPushed(serials: readonly string[]): void;
  /** Forces the assign result of these serials until cleared with `undefined` (`THROTTLED` reads `FAILED` below protocol 9). */
  setAssignOutcome(serials: readonly string[], outcome: SimAssignOutcome | undefined): void;
  /** Memory footprint of the population. */
  stats(): SimDeviceStats;
  /**
   * The device side of enrollment: POSTs a MachineInfo signed by the simulator's device CA
   * (`SIMULATOR_DEVICE_CA_PEM`) to the assigned ADE profile's `url`, honours a software-update
   * answer by "updating" and posting again, and reports what it received.
   */
  activate(serial: string, options?: SimActivateOptions): Promise<SimActivation>;
}

/** A stored profile as `GET /profile` returns it. */
export type SimProfile = Record<string, unknown> & { profile_uuid: string };

/** Profile helpers. */
export interface SimProfiles {
  /** A defined profile, or `undefined`. */
  get(profileUuid: string): SimProfile | undefined;
  /** Every defined profile. */
  list(): SimProfile[];
}

/** Token helpers. */
export interface SimTokens {
  /**
   * Registers new OAuth credentials the simulator will accept and returns them (secrets included).
   * With the `consumer_key` of a registered token it renews that MDM server: same consumer key and
   * secret, new access token, secret and expiry; the old access token stops working.
   */
  create(options?: SimTokenOptions): SimTokenCredentials;
  /** Revokes a token: `/session` answers `token_rejected`, its sessions get 403 `token_rejected`. */
  revoke(consumerKey: string): void;
  /** Changes a token's expiry. */
  setExpiry(consumerKey: string, expiresAt: Date | string): void;
  /** Consumer keys of all registered tokens. */
  list(): string[];
}

/** Session helpers. */
export interface SimSessions {
  /**
   * Creates a session directly, skipping OAuth (for tests of code that only needs a session).
   * @param consumerKey - token the session belongs to; @default the first registered token (one is created if none)
   */
  create(consumerKey?: string): string;
  /** Ends every session: the next API call answers 401. */
  invalidateAll(): void;
  /** The next successful API response rotates its session. */
  rotateNext(): void;
  /** Number of live sessions. */
  readonly count: number;
}

/** Account-level switches. */
export interface SimAccount {
  /** Current `/account` details (all fields). */
  readonly detail: SimAccountDetail;
  /** `false`: `/session` and every call answer 403 `T_C_NOT_SIGNED`. */
  setTermsSigned(signed: boolean): void;
  /** `false`: beta enrollment tokens answer 403 `APPLE_SEED_FOR_IT_TURNED_OFF`. */
  setAppleSeedForIT(enabled: boolean): void;
  /** `false`: account-driven enrollment service discovery answers 400 `ORG_NOT_SUPPORTED`. */
  setAccountDrivenEnrollmentSupported(supported: boolean): void;
}

/** A scripted fault. The first matching fault with calls left applies to a request. */
export interface SimFault {
  /** Endpoint name (see {@link SimEndpoint}) or request path, e.g. `/server/devices`. */
  endpoint: SimEndpoint | (string & {});
  /** Only requests with this method. */
  method?: string;
  /** Let this many matching requests through first. @default 0 */
  after?: number;
  /** How many matching requests are affected. @default 1 (use `Infinity` for all) */
  times?: number;
  /** Answer with this status (and `body`, or a default body) instead of the real response. */
  status?: number;
  /** `Retry-After` header (seconds, or an HTTP date string). */
  retryAfter?: number | string;
  /** Body for `status`: a string, or an object sent as JSON. */
  body?: string | Record<string, unknown>;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Drop the connection without an answer. */
  drop?: true;
  /** Wait this long (real time) before answering. */
  delayMs?: number;
  /** Run the request, then send a truncated, unparsable body. */
  malformed?: true;
  /** Fetch/sync only: echo the request's cursor back with `more_to_follow: true`. */
  repeatCursor?: true;
}

/** Fault helpers. */
export interface SimFaults {
  /** Adds a fault and returns its id. */
  add(fault: SimFault): string;
  /** Removes one fault. */
  remove(id: string): void;
  /** Removes all faults. */
  clear(): void;
  /** Faults with calls left. */
  list(): (SimFault & { id: string; remaining: number })[];
}

/** One entry of the request log. */
export interface SimRequestLogEntry {
  /** 1-based sequence number. */
  seq: number;
  /** Simulator time, ISO 8601. */
  at: string;
  /** HTTP method. */
  method: string;
  /** Request path. */
  path: string;
  /** Endpoint name, or `unknown`. */
  endpoint: SimEndpoint | 'unknown';
  /** Response status (0 when the connection was dropped). */
  status: number;
  /** Protocol version the request was served at. */
  protocolVersion: number;
  /** Serials in the request body (`devices` array), when any. */
  serialsIn?: number;
  /** Devices in the response, when any. */
  devicesOut?: number;
  /** Apple error code in the body, when the request failed. */
  error?: string;
  /** Whether a fault was applied. */
  fault?: boolean;
  /** Whether the response rotated the session. */
  rotatedSession?: boolean;
}

/** Running totals since creation or the last {@link DepSimulator.reset}. */
export interface SimCounters {
  /** All requests. */
  requests: number;
  /** Requests per endpoint name. */
  byEndpoint: Record<string, number>;
  /** Responses per status code. */
  byStatus: Record<string, number>;
  /** Session tokens issued by `/session`. */
  sessionsIssued: number;
  /** Sessions rotated through the response header. */
  sessionsRotated: number;
  /** Device records served by fetch, sync and details. */
  devicesServed: number;
  /** Faults applied. */
  faultsApplied: number;
}

/**
 * Options of {@link DepSimulator.issueServerToken}.
 *
 * **Renewal.** ABM keeps an MDM server's consumer key across token downloads, and MDMs check it
 * (abmkit's `uploadServerToken` refuses another key with `TOKEN_MISMATCH`). To issue the yearly
 * renewal of a server the simulator knows, pass its key: `{ consumer_key: 'CK_…' }`. The new
 * file keeps the consumer key and secret, carries a new access token, secret and expiry, and
 * the old access token stops working. A key the simulator does not know registers a new server
 * under that key (how a restarted simulator renews a token an MDM stored earlier).
 */
export interface SimIssueServerTokenOptions extends SimTokenOptions {
  /** CMS content cipher. @default 'aes-128-cbc' (what ABM uses) */
  contentCipher?: 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc';
  /** CMS key transport. @default 'rsa-pkcs1' (what ABM uses) */
  keyTransport?: 'rsa-pkcs1' | 'rsa-oaep';
  /** File layout. @default 'smime' (the `*_smime.p7m` file ABM serves) */
  format?: 'smime' | 'pem' | 'base64';
  /** Line endings. @default 'lf' */
  lineEnding?: 'lf' | 'crlf';
}

/** A token file as ABM would let an admin download it. */
export interface SimIssuedServerToken {
  /** The file's contents. */
  file: string;
  /** A file name in ABM's style: `<server>_Token_<timestamp>_smime.p7m`. */
  filename: string;
  /** Consumer key of the credentials inside (not secret). */
  consumerKey: string;
  /** When the token expires. */
  expiresAt: Date;
  /**
   * `true` when the token renews an MDM server the simulator already knew (the `consumer_key`
   * option named a registered token): same consumer key and consumer secret, new access token and
   * secret, new expiry; the previous access token stops working (`token_rejected`).
   */
  renewal: boolean;
}

// Deprecated names, kept for one minor version. The simulator's family: `DepSimulator*` for the
// object `createDepSimulator` returns and its options, `Sim*` for everything inside it.

/** @deprecated Use {@link SimEndpoint}. */
export type DepEndpoint = SimEndpoint;
/** @deprecated Use {@link SimIssueServerTokenOptions}. */
export type IssueServerTokenOptions = SimIssueServerTokenOptions;
/** @deprecated Use {@link SimIssuedServerToken}. */
export type IssuedServerToken = SimIssuedServerToken;
