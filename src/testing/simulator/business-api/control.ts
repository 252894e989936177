/**
 * `sim.businessApi`: test-side control of the simulated Apple Business Manager REST API.
 *
 * @module
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../../../errors/index.js';
import type { SimState } from '../state.js';
import { settleActivities } from './activities.js';
import { businessStateOf } from './state.js';

/** Options of {@link SimBusinessApi.createAccount}. */
export interface SimApiAccountOptions {
  /** `business` (ABM, `BUSINESSAPI.*`) or `school` (ASM, `SCHOOLAPI.*`). @default 'business' */
  flavor?: 'business' | 'school';
  /** Private key encoding handed back: SEC1 (`EC PRIVATE KEY`, what ABM downloads) or PKCS#8. @default 'sec1' */
  keyFormat?: 'sec1' | 'pkcs8';
  /** Register this public key (PEM) instead of generating a key pair; `privateKey` is then `''`. */
  publicKeyPem?: string;
}

/** Credentials of a simulated API account. `privateKey` is a secret. */
export interface SimApiAccount {
  /** `BUSINESSAPI.<uuid>` or `SCHOOLAPI.<uuid>`. */
  clientId: string;
  /** Key id. */
  keyId: string;
  /** P-256 private key PEM. */
  privateKey: string;
}

/** Where an org serial is in the simulator. */
export interface SimOrgDeviceState {
  /** Server id, or `null` when in the organisation but on no server. */
  serverId: string | null;
}

/** Control of the REST API half of the simulator. */
export interface SimBusinessApi {
  /** The id under which the ADE simulator's own server appears in `/v1/mdmServers` (its `server_uuid`, dashes removed, upper case). */
  readonly adeServerId: string;
  /** Registers an API account and returns credentials the token endpoint accepts. */
  createAccount(options?: SimApiAccountOptions): SimApiAccount;
  /** Revokes an account's key: token requests and its access tokens are refused. */
  revokeAccount(clientId: string): void;
  /** Adds `count` organisation devices on no server; returns their serials. Memory stays flat (serials are computed). */
  addUnassignedDevices(count: number): { first: string; serialAt(index: number): string };
  /** Where a serial is, or `undefined` when the organisation does not have it. */
  orgDevice(serial: string): SimOrgDeviceState | undefined;
  /** Makes these serials fail in every activity with `reason` (or clears with `undefined`). */
  failSerials(serials: readonly string[], reason: string | undefined): void;
  /** How long an activity stays `IN_PROGRESS`, simulator time. @default 5000 */
  activityLatencyMs: number;
  /** `expires_in` of issued access tokens, seconds. @default 3600 */
  tokenLifetimeSeconds: number;
  /** Completes every activity whose time has come (requests do this too). */
  settle(): void;
}

/** @internal */
export function businessApiControl(sim: SimState): SimBusinessApi {
  const biz = () => businessStateOf(sim);
  return {
    get adeServerId() {
      return biz().adeServerId;
    },
    createAccount(options = {}) {
      const flavor = options.flavor ?? 'business';
      const clientId = `${flavor === 'school' ? 'SCHOOLAPI' : 'BUSINESSAPI'}.${randomUUID()}`;
      const keyId = randomUUID();
      let privateKey = '';
      let publicKey: KeyObject;
      if (options.publicKeyPem !== undefined) {
        publicKey = createPublicKey(options.publicKeyPem);
      } else {
        const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        publicKey = pair.publicKey;
        privateKey = pair.privateKey
          .export({ format: 'pem', type: options.keyFormat === 'pkcs8' ? 'pkcs8' : 'sec1' })
          .toString();
      }
      biz().accounts.set(clientId, {
        clientId,
        keyId,
        publicKey,
        scope: flavor === 'school' ? 'school.api' : 'business.api',
        revoked: false,
      });
      return { clientId, keyId, privateKey };
    },
    revokeAccount(clientId) {
      const account = biz().accounts.get(clientId);
      if (!account) throw new InvalidArgumentError('revokeAccount: no such API account.');
      account.revoked = true;
    },
    addUnassignedDevices(count) {
      if (!Number.isInteger(count) || count < 0 || count > 20_000_000) {
        throw new InvalidArgumentError(
          'addUnassignedDevices: count must be an integer from 0 to 20,000,000.',
        );
      }
      const state = biz();
      const start = state.unassignedPool;
      state.unassignedPool += count;
      return {
        first: state.poolSerial(start),
        serialAt: (i: number) => state.poolSerial(start + i),
      };
    },
    orgDevice(serial) {
      const where = biz().locate(serial);
      return where === undefined ? undefined : { serverId: where };
    },
    failSerials(serials, reason) {
      const map = biz().failSerials;
      for (const s of serials) {
        if (reason === undefined) map.delete(s);
        else map.set(s, reason);
      }
    },
    get activityLatencyMs() {
      return biz().activityLatencyMs;
    },
    set activityLatencyMs(ms: number) {
      biz().activityLatencyMs = ms;
    },
    get tokenLifetimeSeconds() {
      return biz().tokenLifetimeS;
    },
    set tokenLifetimeSeconds(s: number) {
      biz().tokenLifetimeS = s;
    },
    settle() {
      settleActivities(biz(), sim.now());
    },
  };
}
