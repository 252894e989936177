import type { z } from 'zod';
import type { AbmError } from '../errors/abm-error.js';
import { isAbmError } from '../errors/guards.js';

/** An answer the handler turns into a JSON error response. @internal */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: (string | number)[]; message: string }[],
  ) {
    super(message);
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  INVALID_ARGUMENT: 422,
  POLICY_INVALID: 422,
  PROFILE_INVALID: 422,
  CSV_INVALID: 422,
  TOKEN_FORMAT_INVALID: 422,
  TOKEN_PAYLOAD_INVALID: 422,
  TOKEN_DECRYPT_FAILED: 422,
  CERTIFICATE_INVALID: 422,
  PRIVATE_KEY_INVALID: 422,
  CONFIGURATION_INVALID: 502,
  TOKEN_NOT_FOUND: 404,
  TOKEN_MISMATCH: 409,
  TERMS_NOT_SIGNED: 502,
  ACCESS_DENIED: 502,
  TOKEN_REJECTED: 502,
  TOKEN_EXPIRED: 502,
  AUTH_FAILED: 502,
  API_ERROR: 502,
  NOT_FOUND: 502,
  SERVER_ERROR: 502,
  RESPONSE_INVALID: 502,
  CONNECTION_FAILED: 504,
  TIMEOUT: 504,
  RATE_LIMITED: 503,
};

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON response. @internal */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...HEADERS, ...headers } });
}

/** Any thrown value as a JSON error response; never a stack, never a non-abmkit message. @internal */
export function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) {
    return json(
      {
        error: {
          code: error.code,
          message: error.message,
          ...(error.issues === undefined ? {} : { issues: error.issues }),
        },
      },
      error.status,
    );
  }
  if (isAbmError(error)) {
    const issues = (error as AbmError & { issues?: unknown }).issues;
    return json(
      {
        error: {
          code: error.code,
          message: error.message,
          ...(Array.isArray(issues) && issues.length > 0 ? { issues } : {}),
        },
      },
      STATUS_BY_CODE[error.code] ?? 500,
    );
  }
  return json({ error: { code: 'INTERNAL', message: 'Internal error; see the server log.' } }, 500);
}

/**
 * Reads a request body, refusing more than `limit` bytes (413) by the declared length first,
 * then while streaming. @internal
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (request.body === null) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than ${limit} bytes; send the file as downloaded.`,
  );
}

/** Reads and validates a JSON body against a zod schema (400 bad JSON, 422 invalid). @internal */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  limit: number,
): Promise<z.infer<S>> {
  const bytes = await readBody(request, limit);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
      message: i.message,
    }));
    throw new HttpError(
      422,
      'INVALID_ARGUMENT',
      `The request body is invalid: ${issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return parsed.data;
}
