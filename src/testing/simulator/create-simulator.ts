/**
 * `createDepSimulator`: a stateful, deterministic simulator of Apple's ADE web service.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { InvalidArgumentError } from '../../errors/index.js';
import { createActivator } from './activate.js';
import { businessApiControl, type SimBusinessApi } from './business-api/control.js';
import { controlMount } from './control/http.js';
import type { SimListenOptions } from './control/types.js';
import { handleRequest } from './core.js';
import { startHttpServer } from './http-server.js';
import { APPLE_ADE_BASE_URL, depSimulatorHandlers } from './msw.js';
import type { MswHandler } from './msw-handler.js';
import { isoSeconds } from './population.js';
import { SimState } from './state.js';
import { issueServerToken } from './token-issuer.js';
import type {
  DepSimulatorOptions,
  SimAccount,
  SimClock,
  SimCounters,
  SimDevices,
  SimFaults,
  SimIssuedServerToken,
  SimIssueServerTokenOptions,
  SimProfile,
  SimProfiles,
  SimRequest,
  SimRequestLogEntry,
  SimResponse,
  SimSessions,
  SimTokens,
} from './types.js';

/** Options of {@link DepSimulator.reset}. */
export interface SimResetOptions {
  /** Also forget registered tokens (their credentials stop working). @default false */
  tokens?: boolean;
}

/** A running ADE simulator. Create one with {@link createDepSimulator}. */
export interface DepSimulator {
  /** Serves one request (the core both front ends use). Never throws for bad requests. */
  handle(request: SimRequest): Promise<SimResponse>;
  /**
   * Starts the HTTP front end on 127.0.0.1 and returns its base URL (e.g. `http://127.0.0.1:54321`).
   * @param port - @default 0 (any free port)
   * @param host - @default '127.0.0.1'
   * @param options - `{ control: true }` also serves the HTTP control API under `/_sim/`.
   */
  listen(port?: number, host?: string, options?: SimListenOptions): Promise<string>;
  /** Stops the HTTP front end (if started). */
  close(): Promise<void>;
  /** Base URL of the HTTP front end, once listening. */
  readonly url: string | undefined;
  /** msw handlers for `baseUrl` (msw must be installed). @default baseUrl `https://mdmenrollment.apple.com` */
  handlers(baseUrl?: string): Promise<MswHandler[]>;
  /**
   * A server-token file as ABM serves it (S/MIME `.p7m`), encrypted to `certificatePem`, carrying
   * fresh credentials this simulator accepts.
   */
  issueServerToken(
    certificatePem: string,
    options?: SimIssueServerTokenOptions,
  ): Promise<SimIssuedServerToken>;
  /** The injectable clock. */
  readonly clock: SimClock;
  /** Device population helpers. */
  readonly devices: SimDevices;
  /** Defined profiles. */
  readonly profiles: SimProfiles;
  /** Server tokens (OAuth credentials). */
  readonly tokens: SimTokens;
  /** Session tokens. */
  readonly sessions: SimSessions;
  /** Account switches (terms, AppleSeed for IT, account-driven enrollment). */
  readonly account: SimAccount;
  /** Scripted faults. */
  readonly faults: SimFaults;
  /** The Apple Business Manager REST API served beside the ADE API (`/auth/oauth2/token`, `/v1/…`). */
  readonly businessApi: SimBusinessApi;
  /** The request log (most recent last, bounded by `requestLogLimit`). */
  readonly requests: readonly SimRequestLogEntry[];
  /** Running counters. */
  readonly counters: SimCounters;
  /**
   * Back to the initial state: population, profiles, sessions, faults, log and switches; cursors
   * issued before answer `INVALID_CURSOR`. Tokens are kept unless `{ tokens: true }`.
   */
  reset(options?: SimResetOptions): void;
}

function defaultSleep(ms: number): Promise<void> {
  return delay(ms).then(() => undefined);
}

/**
 * Creates an ADE simulator: a stateful, in-memory stand-in for `mdmenrollment.apple.com` that
 * follows Apple's documented behaviour (OAuth 1.0a `/session`, session tokens, fetch/sync cursors,
 * profiles, throttling, error strings). Serve it over loopback HTTP with {@link DepSimulator.listen}
 * or in-process with msw via {@link DepSimulator.handlers}.
 *
 * @example
 * ```ts
 * const sim = createDepSimulator({ devices: 5000, seed: 1 });
 * const creds = sim.tokens.create();
 * const baseUrl = await sim.listen();
 * // … point your client at baseUrl with creds …
 * await sim.close();
 * ```
 */
export function createDepSimulator(options: DepSimulatorOptions = {}): DepSimulator {
  const state = new SimState(options);
  const sleep = options.sleep ?? defaultSleep;
  let server: { url: string; close(): Promise<void> } | undefined;

  const handle = (request: SimRequest): Promise<SimResponse> =>
    handleRequest(state, request, sleep);
  const now = (): number => state.now();

  const devices: SimDevices = {
    get count() {
      return state.devices.count;
    },
    serialAt(index) {
      if (!Number.isInteger(index) || index < 0 || index >= state.opts.size) {
        throw new InvalidArgumentError(
          `serialAt: index must be an integer in [0, ${state.opts.size}).`,
        );
      }
      return state.population.serialOf(index);
    },
    serials(n) {
      const out: string[] = [];
      const store = state.devices;
      for (
        let s = store.nextPresent(0);
        s < store.slotCount && out.length < n;
        s = store.nextPresent(s + 1)
      ) {
        out.push(store.at(s).serial_number);
      }
      return out;
    },
    get: (serial) => {
      const device = state.devices.get(serial);
      return device ? structuredClone(device) : undefined;
    },
    add: (input = {}) => structuredClone(state.devices.add(input, now())),
    modify: (serial, patch) => structuredClone(state.devices.modify(serial, patch, now())),
    remove: (serial) => state.devices.remove(serial, now()),
    replace(serial, input = {}) {
      const at = now();
      state.devices.remove(serial, at, true);
      const added = state.devices.add({ ...input, is_replacement_device: true }, at);
      state.devices.replacements.set(added.serial_number, { original: serial, date: at });
      return structuredClone(added);
    },
    markPushed(serials) {
      const at = now();
      for (const serial of serials) {
        const device = state.devices.get(serial);
        if (!device?.profile_uuid) {
          throw new InvalidArgumentError(`markPushed: device ${serial} has no profile assigned.`);
        }
        state.devices.modify(
          serial,
          {
            profile_status: 'pushed',
            profile_push_time: isoSeconds(at),
          },
          at,
        );
      }
    },
    setAssignOutcome(serials, outcome) {
      for (const serial of serials) {
        if (outcome === undefined) state.assignOutcomes.delete(serial);
        else state.assignOutcomes.set(serial, outcome);
      }
    },
    stats: () => state.devices.stats(),
    activate: (serial, options) => activator(serial, options),
  };

  const profiles: SimProfiles = {
    get: (uuid) => {
      const profile = state.profiles.get(uuid);
      return profile ? (structuredClone(profile) as SimProfile) : undefined;
    },
    list: () => [...state.profiles.values()].map((p) => structuredClone(p) as SimProfile),
  };
  const activator = createActivator(devices, profiles);

  const tokens: SimTokens = {
    create: (tokenOptions) => state.createToken(tokenOptions),
    revoke(consumerKey) {
      state.token(consumerKey).revoked = true;
    },
    setExpiry(consumerKey, expiresAt) {
      const ms = expiresAt instanceof Date ? expiresAt.getTime() : Date.parse(expiresAt);
      if (Number.isNaN(ms))
        throw new InvalidArgumentError('setExpiry: expiresAt is not a valid date.');
      state.token(consumerKey).expiresAt = ms;
    },
    list: () => [...state.tokens.keys()],
  };

  const sessions: SimSessions = {
    create(consumerKey) {
      const key =
        consumerKey ?? state.tokens.keys().next().value ?? state.createToken().consumer_key;
      state.token(key);
      return state.createSession(key);
    },
    invalidateAll() {
      state.sessions.clear();
    },
    rotateNext() {
      state.rotateNext = true;
    },
    get count() {
      return state.sessions.size;
    },
  };

  const account: SimAccount = {
    get detail() {
      return { ...state.account };
    },
    setTermsSigned(signed) {
      state.termsSigned = signed;
    },
    setAppleSeedForIT(enabled) {
      state.appleSeedForIT = enabled;
    },
    setAccountDrivenEnrollmentSupported(supported) {
      state.adeSupported = supported;
    },
  };

  const sim: DepSimulator = {
    handle,
    async listen(port = 0, host = '127.0.0.1', listenOptions = {}) {
      if (server) return server.url;
      const mounts = listenOptions.control === true ? [controlMount(sim)] : [];
      server = await startHttpServer(handle, port, host, mounts);
      return server.url;
    },
    async close() {
      const running = server;
      server = undefined;
      await running?.close();
    },
    get url() {
      return server?.url;
    },
    handlers: (baseUrl = APPLE_ADE_BASE_URL) => depSimulatorHandlers(sim, baseUrl),
    issueServerToken: (certificatePem, tokenOptions = {}) =>
      issueServerToken(state, certificatePem, tokenOptions),
    clock: state.clock,
    devices,
    profiles,
    tokens,
    sessions,
    account,
    faults: state.faults,
    businessApi: businessApiControl(state),
    get requests() {
      return state.log.entries;
    },
    get counters() {
      return state.log.counters;
    },
    reset(resetOptions = {}) {
      state.reset(resetOptions.tokens === true);
    },
  };
  return sim;
}
