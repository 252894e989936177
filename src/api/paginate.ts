import { InvalidArgumentError, ResponseValidationError } from '../errors/index.js';
import type { ApiHttp } from './http.js';
import { isResource, type JsonApiResource } from './json-api.js';

/** Options every list method accepts. */
export interface ListOptions {
  /** Page size sent as `limit`. Apple's maximum is unconfirmed; 1000 is what clients in the wild use. @default 100 */
  limit?: number;
  /** Sparse fieldset: only these attributes are returned (`fields[<type>]=a,b`). */
  fields?: readonly string[];
  /** Stop after this many pages, however many the server announces. @default 10000 */
  maxPages?: number;
  /** Aborts the iteration. */
  signal?: AbortSignal;
}

/** Where a paginated list starts. @internal */
export interface PageSource {
  http: ApiHttp;
  baseUrl: string;
  operation: string;
  path: string;
  fieldsType: string;
}

/**
 * Follows `links.next` (or `meta.paging.nextCursor`) page by page, yielding resource objects.
 * Bounded: at most `maxPages` pages, a repeated cursor or a next link pointing at another origin
 * (which would carry the bearer token elsewhere) ends with an error.
 * @internal
 */
export async function* paginate(
  src: PageSource,
  options: ListOptions = {},
): AsyncGenerator<JsonApiResource, void, undefined> {
  const origin = new URL(src.baseUrl).origin;
  const query = new URLSearchParams();
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new InvalidArgumentError('limit must be an integer from 1 to 10000.');
  }
  query.set('limit', String(limit));
  if (options.fields && options.fields.length > 0) {
    query.set(`fields[${src.fieldsType}]`, options.fields.join(','));
  }
  const maxPages = options.maxPages ?? 10_000;
  let url = `${src.baseUrl}${src.path}?${query.toString()}`;
  const seen = new Set<string>();
  const fail = (what: string): ResponseValidationError =>
    new ResponseValidationError(
      `Apple's answer to ${src.operation} (GET ${src.path}) ${what}; abmkit stopped paging.`,
      { operation: src.operation, method: 'GET', path: src.path, attempts: 1 },
    );
  for (let page = 0; ; page++) {
    if (page >= maxPages) throw fail(`did not end within maxPages (${maxPages}) pages`);
    const doc = (await src.http.send({
      operation: src.operation,
      method: 'GET',
      url,
      path: src.path,
      retrySafe: true,
      auth: 'bearer',
      signal: options.signal,
    })) as {
      data?: unknown;
      links?: { next?: unknown };
      meta?: { paging?: { nextCursor?: unknown } };
    };
    if (!doc || !Array.isArray(doc.data)) throw fail('has no data array');
    for (const item of doc.data) if (isResource(item)) yield item;
    const next = doc.links?.next;
    const cursor = doc.meta?.paging?.nextCursor;
    let nextUrl: string | undefined;
    if (typeof next === 'string' && next !== '') {
      const resolved = new URL(next, src.baseUrl);
      if (resolved.origin !== origin)
        throw fail(`links.next points at another origin (${resolved.origin})`);
      nextUrl = resolved.toString();
    } else if (typeof cursor === 'string' && cursor !== '') {
      const q = new URLSearchParams(query);
      q.set('cursor', cursor);
      nextUrl = `${src.baseUrl}${src.path}?${q.toString()}`;
    }
    if (nextUrl === undefined) return;
    if (seen.has(nextUrl)) throw fail('repeated a page cursor');
    seen.add(nextUrl);
    url = nextUrl;
  }
}
