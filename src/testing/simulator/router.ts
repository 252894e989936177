/**
 * Maps method + path to an endpoint name and handler.
 *
 * @internal
 * @module
 */
import type { EndpointContext, EndpointResult } from './context.js';
import {
  account,
  betaEnrollmentTokens,
  getAdeServiceDiscovery,
  removeAdeServiceDiscovery,
  setAdeServiceDiscovery,
} from './endpoints/account.js';
import {
  activationLock,
  deviceDetails,
  disownDevices,
  replacementDetails,
} from './endpoints/devices.js';
import { fetchDevices, syncDevices } from './endpoints/devices-fetch.js';
import { assignProfile, defineProfile, getProfile, removeProfile } from './endpoints/profiles.js';
import { session } from './endpoints/session.js';
import type { SimEndpoint } from './types.js';

/** @internal */
export type Handler = (ctx: EndpointContext) => EndpointResult;

/** @internal path → method → [endpoint, handler] */
export const ROUTES: Record<string, Record<string, [SimEndpoint, Handler]>> = {
  '/session': { GET: ['session', session] },
  '/account': { GET: ['account', account] },
  '/server/devices': { POST: ['fetchDevices', fetchDevices] },
  '/devices/sync': { POST: ['syncDevices', syncDevices] },
  '/devices': { POST: ['deviceDetails', deviceDetails] },
  '/devices/disown': { POST: ['disownDevices', disownDevices] },
  '/profile': { POST: ['defineProfile', defineProfile], GET: ['getProfile', getProfile] },
  '/profile/devices': {
    PUT: ['assignProfile', assignProfile],
    POST: ['assignProfile', assignProfile],
    DELETE: ['removeProfile', removeProfile],
  },
  '/device/activationlock': { POST: ['activationLock', activationLock] },
  '/os-beta-enrollment/tokens': { GET: ['betaEnrollmentTokens', betaEnrollmentTokens] },
  '/account-driven-enrollment/profile': {
    GET: ['getAdeServiceDiscovery', getAdeServiceDiscovery],
    POST: ['setAdeServiceDiscovery', setAdeServiceDiscovery],
    DELETE: ['removeAdeServiceDiscovery', removeAdeServiceDiscovery],
  },
  '/device/replacementDetails': { GET: ['replacementDetails', replacementDetails] },
};
