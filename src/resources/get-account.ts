import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type { accountDetailSchema } from '../schemas/index.js';
import { openEnum } from '../schemas/open-enum.js';
import { defineOperation, type Operation } from './operation.js';

/** One capability entry of `/account` `urls` (protocol ≥ 3). Built on first use. @internal */
export const getAccountUrlSchema = lazy((z) =>
  z.looseObject({
    /** Endpoint path, e.g. `/server/devices`. */
    uri: z.string(),
    /** Methods allowed on it. */
    http_method: z.array(z.string()).nullish(),
    /** Page-size limits for cursor endpoints. */
    limit: z
      .looseObject({ default: z.number().nullish(), maximum: z.number().nullish() })
      .nullish(),
  }),
);

/** `GET /account` response: the MDM server and organisation behind the token. Built on first use. @internal */
export const getAccountDetailSchema = lazy((z) =>
  z.looseObject({
    /** Name of this MDM server in ABM. */
    server_name: z.string(),
    /** System id of this MDM server. */
    server_uuid: z.string(),
    /** Apple Account of whoever generated the current token. */
    admin_id: z.string().nullish(),
    /** Deprecated alias of `admin_id`. */
    facilitator_id: z.string().nullish(),
    /** Organisation name. */
    org_name: z.string().nullish(),
    /** Organisation email. */
    org_email: z.string().nullish(),
    /** Organisation phone. */
    org_phone: z.string().nullish(),
    /** Organisation address. */
    org_address: z.string().nullish(),
    /** Customer id (protocol ≥ 3). */
    org_id: z.string().nullish(),
    /** Hash of the customer id (protocol ≥ 3). */
    org_id_hash: z.string().nullish(),
    /** `edu`, `org` or another value (protocol ≥ 3). */
    org_type: openEnum(['edu', 'org', 'tvprovider'] as const).nullish(),
    /** `v1` or `v2` (protocol ≥ 3). */
    org_version: openEnum(['v1', 'v2'] as const).nullish(),
    /** Endpoint capabilities (protocol ≥ 3). */
    urls: z.array(getAccountUrlSchema()).nullish(),
  }),
);

/** Account detail (inferred from {@link accountDetailSchema}). */
export type AccountDetail = z.infer<typeof accountDetailSchema>;

/** `GET /account`. Safe to retry. @internal */
export const getAccountOperation: Operation<AccountDetail> = defineOperation({
  name: 'getAccount',
  method: 'GET',
  path: '/account',
  retrySafe: true,
  auth: 'session',
  response: getAccountDetailSchema,
});
