/**
 * Shared zod pieces of control-API bodies.
 *
 * @internal
 * @module
 */
import { z } from 'zod';

/** @internal Most serials or devices one control request may name or add. */
export const MAX_DEVICES_PER_REQUEST = 10_000;

/** @internal A non-empty list of distinct serials. */
export const serialsSchema = z
  .array(z.string().min(1).max(64), 'serials must be an array of serial numbers')
  .min(1, 'serials must name at least one device')
  .max(MAX_DEVICES_PER_REQUEST, `at most ${MAX_DEVICES_PER_REQUEST} serials per request`)
  .refine((list) => new Set(list).size === list.length, 'serials must not repeat a serial');

/** @internal An ISO 8601 date-time string. */
export const isoDateSchema = z
  .string()
  .max(64)
  .refine(
    (v) => !Number.isNaN(Date.parse(v)),
    'must be an ISO 8601 date, e.g. 2026-05-01T00:00:00Z',
  );

/** @internal A consumer key (`CK_…`): printable ASCII. */
export const consumerKeySchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\x21-\x7e]+$/, 'consumerKey must be printable ASCII without spaces (CK_…)');

/** @internal An HTTP header name (RFC 9110 token). */
export const headerNameSchema = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/, 'must be an HTTP header name');

/** @internal An HTTP header value: visible ASCII, spaces and tabs, no line breaks. */
export const headerValueSchema = z
  .string()
  .max(4096)
  .regex(/^[\t\x20-\x7e]*$/, 'must be printable ASCII without line breaks');
