import type { z } from 'zod';
import * as s from './schemas.js';

/** One admin API route, described once for the router and the OpenAPI document. @internal */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** Path template, e.g. `/tokens/{tokenId}/sync`. */
  path: string;
  /** Stable operation id (also the handler name). */
  id: string;
  summary: string;
  /** JSON request body schema, or a raw content type. */
  body?: z.ZodType | { contentType: string; description: string };
  /** JSON answer schema, or a raw content type. */
  response: z.ZodType | { contentType: string; description: string };
  /** Success status. @default 200 */
  status?: number;
  query?: { name: string; description: string }[];
}

/** Every route of the admin API. @internal */
export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    id: 'openapi',
    summary: 'This OpenAPI document.',
    response: { contentType: 'application/json', description: 'OpenAPI 3.1 document' },
  },
  {
    method: 'GET',
    path: '/tokens',
    id: 'listTokens',
    summary: 'Every token with its health and banners.',
    response: s.tokenViewSchema.array(),
    query: [
      { name: 'customerId', description: 'Only tokens of this customer.' },
      { name: 'siteId', description: 'Only tokens of this site.' },
    ],
  },
  {
    method: 'POST',
    path: '/tokens',
    id: 'createKeyPair',
    summary:
      'Token wizard step 1: customer and site → a key pair. Idempotent: a pending pair is returned again, not replaced.',
    body: s.createTokenBody,
    response: s.keyPairViewSchema,
    status: 201,
  },
  {
    method: 'GET',
    path: '/tokens/{tokenId}',
    id: 'getToken',
    summary: 'One token: health, expiry, days left, last sync, last error, banners.',
    response: s.tokenViewSchema,
  },
  {
    method: 'GET',
    path: '/tokens/{tokenId}/certificate',
    id: 'downloadCertificate',
    summary: 'Token wizard step 2: download the public key (certificate PEM) to upload to ABM.',
    response: { contentType: 'application/x-pem-file', description: 'The certificate (PEM).' },
  },
  {
    method: 'PUT',
    path: '/tokens/{tokenId}/server-token',
    id: 'uploadServerToken',
    summary:
      'Token wizard step 3: upload the server token downloaded from ABM (*_smime.p7m, size-limited).',
    body: { contentType: 'application/octet-stream', description: 'The .p7m file as downloaded.' },
    response: s.tokenViewSchema,
  },
  {
    method: 'POST',
    path: '/tokens/{tokenId}/sync',
    id: 'syncNow',
    summary: 'Sync Now: starts a run (or reports the one in flight). Follow it by polling or SSE.',
    response: s.syncStateSchema,
    status: 202,
  },
  {
    method: 'GET',
    path: '/tokens/{tokenId}/sync',
    id: 'syncState',
    summary: 'Sync progress (polling).',
    response: s.syncStateSchema,
  },
  {
    method: 'GET',
    path: '/tokens/{tokenId}/sync/events',
    id: 'syncEvents',
    summary:
      'Sync progress as Server-Sent Events: one `state` event per change (data: a sync state), ending after the run.',
    response: { contentType: 'text/event-stream', description: 'Events named `state`.' },
  },
  {
    method: 'GET',
    path: '/tokens/{tokenId}/devices',
    id: 'listDevices',
    summary: 'Devices with status and profile, filtered and searched.',
    response: s.devicePageSchema,
    query: [
      {
        name: 'status',
        description: 'unassigned | assigned | pushed | profile-served | enrolled | removed',
      },
      { name: 'os', description: 'OS label, e.g. iOS, macOS.' },
      { name: 'q', description: 'Search in serial, model, description and asset tag.' },
      { name: 'limit', description: 'Page size (1-500, default 100).' },
      { name: 'cursor', description: 'nextCursor of the previous page.' },
    ],
  },
  {
    method: 'GET',
    path: '/tokens/{tokenId}/unassigned',
    id: 'listUnassigned',
    summary: 'The Unassigned list, each device with the reason it has no profile.',
    response: s.unassignedPageSchema,
    query: [
      { name: 'limit', description: 'Page size (1-500, default 100).' },
      { name: 'cursor', description: 'nextCursor of the previous page.' },
    ],
  },
  {
    method: 'GET',
    path: '/tokens/{tokenId}/policy',
    id: 'getPolicy',
    summary: 'The profile policy (device > group > OS default).',
    response: s.policyViewSchema,
  },
  {
    method: 'PUT',
    path: '/tokens/{tokenId}/policy',
    id: 'setPolicy',
    summary: 'Replaces the profile policy (validated).',
    body: s.policyBody,
    response: s.policyViewSchema,
  },
  {
    method: 'PATCH',
    path: '/tokens/{tokenId}/policy/os-defaults',
    id: 'setOsDefaults',
    summary: 'Sets or clears per-OS default profiles, keeping the device and group rules.',
    body: s.osDefaultsBody,
    response: s.policyViewSchema,
  },
  {
    method: 'POST',
    path: '/tokens/{tokenId}/profiles',
    id: 'defineProfile',
    summary: 'Defines a preset ADE profile at Apple, optionally as the default of some OSes.',
    body: s.defineProfileBody,
    response: s.profileViewSchema,
    status: 201,
  },
  {
    method: 'POST',
    path: '/tokens/{tokenId}/assign',
    id: 'assignCsv',
    summary:
      'Assigns the serials of a CSV to this MDM server (Apple Business API). Invalid rows refuse the whole file.',
    body: { contentType: 'text/csv', description: 'A serial-number CSV.' },
    response: s.assignResultSchema,
  },
  {
    method: 'GET',
    path: '/tokens/{tokenId}/devices-missing',
    id: 'devicesMissing',
    summary:
      "Devices not appearing: the organisation's devices on no MDM server or on another one (Business API).",
    response: s.devicesMissingSchema,
    query: [{ name: 'limit', description: 'At most this many (1-5000, default 500).' }],
  },
  {
    method: 'GET',
    path: '/api-accounts',
    id: 'listApiAccounts',
    summary: 'Every stored Apple Business API account with its health (never a key).',
    response: s.apiAccountViewSchema.array(),
    query: [
      { name: 'customerId', description: 'Only accounts of this customer.' },
      { name: 'siteId', description: 'Only accounts of this site.' },
    ],
  },
  {
    method: 'GET',
    path: '/api-accounts/{accountId}',
    id: 'apiAccountHealth',
    summary: "One API account's health, advice and last error (never its key).",
    response: s.apiAccountViewSchema,
  },
  {
    method: 'PUT',
    path: '/api-accounts/{accountId}',
    id: 'saveApiAccount',
    summary:
      'Stores an API account created in Apple Business Manager (key encrypted at rest); bad credentials are refused and nothing is stored.',
    body: s.saveApiAccountBody,
    response: s.apiAccountViewSchema,
  },
  {
    method: 'GET',
    path: '/doctor',
    id: 'doctor',
    summary: "The product guide's troubleshooting table, walked for every token.",
    response: s.doctorReportSchema,
    query: [{ name: 'probe', description: 'false: do not call Apple.' }],
  },
  {
    method: 'GET',
    path: '/tokens/{tokenId}/doctor',
    id: 'doctorToken',
    summary: 'The troubleshooting table for one token.',
    response: s.doctorReportSchema,
    query: [
      { name: 'probe', description: 'false: do not call Apple.' },
      { name: 'serial', description: 'Explain which rule picks the profile of this serial.' },
    ],
  },
];
