import { httpErrorOptions } from '../client/map-error.js';
import {
  AbmApiError,
  AccessDeniedError,
  AuthenticationError,
  ConfigurationError,
  NotFoundError,
  RateLimitError,
  ServerError,
} from '../errors/index.js';

/** One entry of a JSON:API `errors` array, as far as abmkit reads it. */
export interface JsonApiErrorEntry {
  status?: string;
  code?: string;
  title?: string;
  detail?: string;
}

/** Reads the first JSON:API error (or an OAuth `{error, error_description}` body). @internal */
export function parseErrorBody(body: string): JsonApiErrorEntry | undefined {
  try {
    const doc = JSON.parse(body) as Record<string, unknown>;
    if (Array.isArray(doc['errors']) && doc['errors'].length > 0) {
      const first = doc['errors'][0] as Record<string, unknown>;
      const str = (v: unknown): string | undefined =>
        typeof v === 'string' ? v.slice(0, 500) : undefined;
      const entry: JsonApiErrorEntry = {};
      for (const key of ['status', 'code', 'title', 'detail'] as const) {
        const value = str(first[key]);
        if (value !== undefined) entry[key] = value;
      }
      return entry;
    }
    if (typeof doc['error'] === 'string') {
      const entry: JsonApiErrorEntry = { code: doc['error'].slice(0, 100) };
      if (typeof doc['error_description'] === 'string')
        entry.detail = doc['error_description'].slice(0, 500);
      return entry;
    }
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

/** Where an API call failed. @internal */
export interface ApiFailureContext {
  operation: string;
  method: string;
  path: string;
  attempts: number;
  /** The OAuth token endpoint: its body is never kept. */
  isTokenRequest: boolean;
}

/**
 * Maps an HTTP error of the Apple Business Manager API (a JSON:API error document, or an OAuth
 * error at the token endpoint) to an {@link AbmApiError} whose message says what to do.
 * @internal
 */
export function mapApiError(
  status: number,
  body: string,
  ctx: ApiFailureContext,
  requestId: string | undefined,
): AbmApiError {
  const entry = parseErrorBody(body);
  const options = httpErrorOptions(
    status,
    ctx,
    entry?.code,
    requestId,
    ctx.isTokenRequest ? undefined : body,
  );
  const what = `${ctx.operation} (${ctx.method} ${ctx.path})`;
  const detail = entry?.detail ? `: ${entry.detail}` : '';
  const tag = `HTTP ${status}${entry?.code ? ` ${entry.code}` : ''}${detail}`;
  if (ctx.isTokenRequest) {
    if (entry?.code === 'invalid_scope') {
      return new ConfigurationError(
        `Apple refused the scope of this API account (${tag}). A BUSINESSAPI.* client id works with api-business.apple.com and business.api, a SCHOOLAPI.* one with api-school.apple.com and school.api; check clientId, baseUrl and tokenUrl.`,
        options,
      );
    }
    if (status === 429 || status >= 500) {
      return status === 429
        ? new RateLimitError(
            `Apple is rate-limiting token requests (${tag}). Try again later.`,
            options,
          )
        : new ServerError(
            `Apple's token endpoint failed (${tag}) after ${ctx.attempts} attempt(s). Try again later.`,
            options,
          );
    }
    return new AuthenticationError(
      `Apple refused the API account's client assertion (${tag}). Check clientId and keyId against the API account in Apple Business Manager; if they match, the key was revoked: generate a new private key for the account and load it.`,
      options,
    );
  }
  if (status === 401) {
    return new AuthenticationError(
      `Apple still refused ${what} with a freshly minted access token (${tag}). The API account's key may have been revoked; generate a new private key in Apple Business Manager.`,
      options,
    );
  }
  if (status === 403) {
    return new AccessDeniedError(
      `Apple denied the API account access to ${what} (${tag}). Check that the account has the needed privileges and that its scope matches the host (business vs school).`,
      options,
    );
  }
  if (status === 404) {
    return new NotFoundError(
      `Apple does not know what ${what} asked for (${tag}). Check the MDM server id or serial number: the device may not be in this organisation.`,
      options,
    );
  }
  if (status === 429) {
    return new RateLimitError(
      `Apple is rate-limiting the API (${tag}); ${ctx.attempts} attempt(s) were made. Wait and try again later, with less concurrency.`,
      options,
    );
  }
  if (status >= 500) {
    return new ServerError(
      `The Apple Business Manager API failed for ${what} (${tag}) after ${ctx.attempts} attempt(s). Try again later.`,
      options,
    );
  }
  return new AbmApiError(
    `Apple rejected ${what} (${tag}). Check the request; the error detail names the problem.`,
    options,
  );
}
