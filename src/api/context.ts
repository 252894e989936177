import { ResponseValidationError } from '../errors/index.js';
import type { ApiHttp } from './http.js';
import { flatten, readResource } from './json-api.js';

/** Per-call options of {@link AbmApiClient} methods. */
export interface ApiCallOptions {
  /** Aborts this call. */
  signal?: AbortSignal;
}

/** What resource functions need. @internal */
export interface ApiContext {
  http: ApiHttp;
  baseUrl: string;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  maxLogBytes: number;
}

/** GET one resource and flatten it. @internal */
export async function getOne<T>(
  ctx: ApiContext,
  operation: string,
  path: string,
  options: ApiCallOptions & { fields?: readonly string[]; fieldsType?: string } = {},
): Promise<T> {
  const q =
    options.fields && options.fields.length > 0 && options.fieldsType
      ? `?${new URLSearchParams({ [`fields[${options.fieldsType}]`]: options.fields.join(',') })}`
      : '';
  const doc = await ctx.http.send({
    operation,
    method: 'GET',
    url: `${ctx.baseUrl}${path}${q}`,
    path,
    retrySafe: true,
    auth: 'bearer',
    signal: options.signal,
  });
  const resource = readResource(doc);
  if (!resource) throw shapeError(operation, 'GET', path);
  return flatten<T>(resource);
}

/** A {@link ResponseValidationError} for a document without the expected `data`. @internal */
export function shapeError(
  operation: string,
  method: string,
  path: string,
): ResponseValidationError {
  return new ResponseValidationError(
    `Apple's answer to ${operation} (${method} ${path}) has no usable data resource.`,
    { operation, method, path, attempts: 1 },
  );
}

/** Percent-encodes a path segment (serials and ids are plain, but never trust input). @internal */
export const seg = (value: string): string => encodeURIComponent(value);
