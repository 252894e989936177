/**
 * All mutable state of one simulator, with its resolved options.
 *
 * @internal
 * @module
 */
import { randomBytes } from 'node:crypto';
import { MAX_SERIALS_PER_REQUEST } from '../../client/batch.js';
import { InvalidArgumentError } from '../../errors/index.js';
import { type AbmLogger, redactingLogger } from '../../internal/logger.js';
import { DEFAULT_ADMINS, DEFAULT_PLATFORM_WEIGHTS } from './catalog.js';
import { createClock, sourceClock } from './clock.js';
import { DeviceStore } from './device-store.js';
import { FaultRegistry } from './faults.js';
import { Population } from './population.js';
import { hash2, Rng, seedToInt } from './random.js';
import { RequestLog } from './request-log.js';
import type {
  DepSimulatorOptions,
  SimAccountDetail,
  SimAssignOutcome,
  SimClock,
  SimTokenCredentials,
  SimTokenOptions,
} from './types.js';

const DAY_MS = 86_400_000;

/** @internal A registered server token. */
export interface TokenRecord {
  credentials: SimTokenCredentials;
  expiresAt: number;
  revoked: boolean;
}

/** @internal A live session. */
export interface SessionRecord {
  consumerKey: string;
  expiresAt: number;
  requests: number;
}

/** @internal Resolved, validated options. */
export interface ResolvedOptions {
  seed: number;
  size: number;
  defaultProtocol: number;
  fetchDefault: number;
  fetchMaximum: number;
  overLimit: 'clamp' | 'reject';
  maxSerials: number;
  cursorMaxAgeMs: number;
  sessionTtlMs: number;
  sessionMaxRequests: number;
  rotateProbability: number;
  unknownSession: 'unauthorized' | 'forbidden';
  oauthWindowMs: number;
  throttle: { max: number; windowMs: number; retryAfterSeconds: number } | undefined;
  errorBodyStyle: 'text' | 'quoted' | 'json';
  invalidUserAgents: readonly (string | RegExp)[];
  requestLogLimit: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`createDepSimulator: ${name} must be an integer ≥ ${min}.`);
  }
  return value;
}

function toMs(name: string, value: Date | string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError(`createDepSimulator: ${name} is not a valid date.`);
  return ms;
}

function resolve(options: DepSimulatorOptions): ResolvedOptions {
  const limits = options.limits ?? {};
  const session = options.session ?? {};
  const fetchMaximum = positiveInt('limits.fetchMaximum', limits.fetchMaximum, 1000);
  const rotate = session.rotateProbability ?? 0;
  if (!(rotate >= 0 && rotate <= 1)) {
    throw new InvalidArgumentError(
      'createDepSimulator: session.rotateProbability must be between 0 and 1.',
    );
  }
  const size = positiveInt('devices', options.devices, 100, 0);
  if (size > 20_000_000) {
    throw new InvalidArgumentError('createDepSimulator: devices must be at most 20,000,000.');
  }
  const throttle = options.throttle;
  return {
    seed: seedToInt(options.seed ?? 1),
    size,
    defaultProtocol: positiveInt('defaultProtocolVersion', options.defaultProtocolVersion, 1),
    fetchDefault: Math.min(
      positiveInt('limits.fetchDefault', limits.fetchDefault, 100),
      fetchMaximum,
    ),
    fetchMaximum,
    overLimit: limits.overLimit ?? 'clamp',
    maxSerials: positiveInt(
      'limits.maxSerialsPerRequest',
      limits.maxSerialsPerRequest,
      MAX_SERIALS_PER_REQUEST,
    ),
    cursorMaxAgeMs: positiveInt('cursorMaxAgeMs', options.cursorMaxAgeMs, 7 * DAY_MS),
    sessionTtlMs: positiveInt('session.ttlMs', session.ttlMs, 30 * 60_000),
    sessionMaxRequests: positiveInt(
      'session.maxRequests',
      session.maxRequests,
      Number.MAX_SAFE_INTEGER,
    ),
    rotateProbability: rotate,
    unknownSession: session.unknownSession ?? 'unauthorized',
    oauthWindowMs: positiveInt('oauthTimestampWindowMs', options.oauthTimestampWindowMs, 300_000),
    throttle:
      throttle?.maxSerialsPerWindow === undefined
        ? undefined
        : {
            max: positiveInt('throttle.maxSerialsPerWindow', throttle.maxSerialsPerWindow, 0, 0),
            windowMs: positiveInt('throttle.windowMs', throttle.windowMs, 60_000),
            retryAfterSeconds: positiveInt(
              'throttle.retryAfterSeconds',
              throttle.retryAfterSeconds,
              60,
            ),
          },
    errorBodyStyle: options.errorBodyStyle ?? 'text',
    invalidUserAgents: options.invalidUserAgents ?? [],
    requestLogLimit: positiveInt('requestLogLimit', options.requestLogLimit, 10_000),
  };
}

function uuidFrom(rng: Rng): string {
  const h = rng.hex(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** @internal */
export class SimState {
  readonly options: DepSimulatorOptions;
  readonly opts: ResolvedOptions;
  readonly clock: SimClock;
  /** Real-time clock of `oauth_timestamp` checks: never moved by `clock.advance`/`set`. */
  readonly oauthNow: () => number;
  readonly logger: AbmLogger;
  readonly faults = new FaultRegistry();
  readonly log: RequestLog;
  readonly population: Population;
  readonly accountDefaults: SimAccountDetail;

  generation = 0;
  devices!: DeviceStore;
  idRng!: Rng;
  rotationRng!: Rng;
  tokens = new Map<string, TokenRecord>();
  sessions = new Map<string, SessionRecord>();
  nonces = new Map<string, number>();
  profiles = new Map<string, Record<string, unknown>>();
  assignOutcomes = new Map<string, SimAssignOutcome>();
  activationLocked = new Set<string>();
  throttleWindow = { start: 0, used: 0 };
  rotateNext = false;
  termsSigned = true;
  appleSeedForIT = true;
  adeSupported = true;
  adeDiscovery: { url: string; updated: number } | undefined;
  account!: SimAccountDetail;

  constructor(options: DepSimulatorOptions) {
    this.options = options;
    this.opts = resolve(options);
    this.clock = createClock(options.now);
    this.oauthNow = sourceClock(options.oauthNow ?? options.now);
    this.logger = redactingLogger(options.logger);
    this.log = new RequestLog(this.opts.requestLogLimit);
    this.population = new Population({
      seed: this.opts.seed,
      size: this.opts.size,
      end: toMs('populationEnd', options.populationEnd, Date.parse('2025-06-01T00:00:00Z')),
      spanDays: positiveInt('populationSpanDays', options.populationSpanDays, 1095),
      weights: { ...DEFAULT_PLATFORM_WEIGHTS, ...options.platforms },
      admins: options.admins && options.admins.length > 0 ? options.admins : DEFAULT_ADMINS,
    });
    const rng = new Rng(hash2(this.opts.seed, 0xacc0));
    this.accountDefaults = {
      server_name: 'Simulated MDM Server',
      server_uuid: uuidFrom(rng),
      admin_id: 'admin@example.com',
      org_name: 'Example Organization',
      org_email: 'it@example.com',
      org_phone: '+1 408 555 0100',
      org_address: '1 Example Way, Springfield, OR 97477, US',
      org_id: String(1_000_000 + rng.int(8_999_999)),
      org_id_hash: rng.hex(20),
      org_type: 'org',
      org_version: 'v2',
      ...options.account,
    };
    this.reset(false);
    for (const token of options.tokens ?? []) this.createToken(token);
  }

  /** Back to the initial state. Tokens survive unless `dropTokens`. */
  reset(dropTokens: boolean): void {
    this.generation++;
    this.devices = new DeviceStore(this.population);
    this.idRng = new Rng(hash2(this.opts.seed, 0x1d5 + this.generation));
    this.rotationRng = new Rng(hash2(this.opts.seed, 0x2074));
    if (dropTokens) this.tokens = new Map();
    this.sessions = new Map();
    this.nonces = new Map();
    this.profiles = new Map();
    this.assignOutcomes = new Map();
    this.activationLocked = new Set();
    this.throttleWindow = { start: 0, used: 0 };
    this.rotateNext = false;
    this.termsSigned = true;
    this.appleSeedForIT = true;
    this.adeSupported = true;
    this.adeDiscovery = undefined;
    this.account = { ...this.accountDefaults };
    this.faults.clear();
    this.log.clear();
  }

  now(): number {
    return this.clock.now();
  }

  /** Secret mixed into cursor check values. */
  get cursorSecret(): number {
    return hash2(this.opts.seed, 0xc0de);
  }

  /** A new 32-hex upper-case id (profile UUIDs). */
  newProfileUuid(): string {
    return this.idRng.hex(16).toUpperCase();
  }

  /** A new session token: 128 hex characters. */
  newSessionToken(): string {
    return this.idRng.hex(64);
  }

  createToken(options: SimTokenOptions = {}): SimTokenCredentials {
    const expiresAt = toMs('expiresAt', options.expiresAt, this.now() + 365 * DAY_MS);
    const random = (prefix: string, bytes: number): string =>
      `${prefix}${randomBytes(bytes).toString('hex').toUpperCase()}`;
    // Renewal of a known MDM server: ABM keeps the consumer key (and secret) across downloads.
    const renewed =
      options.consumer_key === undefined ? undefined : this.tokens.get(options.consumer_key);
    const credentials: SimTokenCredentials = {
      consumer_key: options.consumer_key ?? random('CK_', 16),
      consumer_secret:
        options.consumer_secret ?? renewed?.credentials.consumer_secret ?? random('CS_', 20),
      access_token: options.access_token ?? random('AT_', 20),
      access_secret: options.access_secret ?? random('AS_', 20),
      access_token_expiry: `${new Date(Math.floor(expiresAt / 1000) * 1000).toISOString().slice(0, 19)}Z`,
    };
    for (const [name, value] of Object.entries(credentials)) {
      if (!/^[\x21-\x7e]+$/.test(value)) {
        throw new InvalidArgumentError(
          `Simulator token field ${name} must be non-empty printable ASCII.`,
        );
      }
    }
    this.tokens.set(credentials.consumer_key, { credentials, expiresAt, revoked: false });
    return credentials;
  }

  token(consumerKey: string): TokenRecord {
    const record = this.tokens.get(consumerKey);
    if (!record) {
      throw new InvalidArgumentError(
        'The simulator has no token with that consumer key; create one with sim.tokens.create().',
      );
    }
    return record;
  }

  createSession(consumerKey: string): string {
    const token = this.newSessionToken();
    this.sessions.set(token, {
      consumerKey,
      expiresAt: this.now() + this.opts.sessionTtlMs,
      requests: 0,
    });
    return token;
  }
}
