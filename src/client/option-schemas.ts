import type { z } from 'zod';
import { InvalidArgumentError } from '../errors/index.js';
import { lazy, type Zod } from '../internal/zod.js';
import type { RequestOptions } from './options.js';

/** `new AbmClient(options)` (value ranges of durations are checked where they are resolved). @internal */
export const getClientOptionsSchema = lazy((z) => {
  const fn = z.custom<(...args: never[]) => unknown>(
    (v) => typeof v === 'function',
    'must be a function',
  );
  const obj = z.custom<object>((v) => v !== null && typeof v === 'object', 'must be an object');
  const str = z.string({ error: 'must be a string' });
  // Only the type: ranges (Infinity, NaN, clamping) are decided where durations are resolved.
  const num = z.custom<number>((v) => typeof v === 'number', 'must be a number');
  return z.object({
    token: obj,
    baseUrl: str.optional(),
    userAgent: str.optional(),
    protocolVersion: num.optional(),
    fetch: fn.optional(),
    timeoutMs: num.optional(),
    deadlineMs: num.optional(),
    retry: obj.optional(),
    logger: obj.optional(),
    sessionCache: obj.optional(),
    signal: signalSchema(z).optional(),
    concurrency: num.optional(),
    assignProfileMethod: z.enum(['POST', 'PUT']).optional(),
  });
});

function signalSchema(z: Zod) {
  return z.custom<AbortSignal>((v) => v instanceof AbortSignal, 'must be an AbortSignal');
}

/** The per-call options of every `AbmClient` method. @internal */
export const getRequestOptionsSchema = lazy((z) =>
  z.object({
    signal: signalSchema(z).optional(),
    deadlineMs: z.custom<number>((v) => typeof v === 'number', 'must be a number').optional(),
    profileUuid: z.string().min(1).optional(),
  }),
);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * Validates an options object against `schema` (a getter: schemas are built on first use) or
 * throws an InvalidArgumentError naming each bad field. @internal
 */
export function checkOptions<T>(what: string, schema: () => z.ZodType<unknown>, value: unknown): T {
  const input = value === undefined ? {} : value;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidArgumentError(
      `${what} must be an options object (or omitted), got ${describe(input)}.`,
    );
  }
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const result = schema().safeParse(defined);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const got = key === '' ? '' : ` (got ${describe((defined as Record<string, unknown>)[key])})`;
      return `${i.path.join('.') || 'options'} ${i.message}${got}`;
    });
    throw new InvalidArgumentError(`${what}: ${problems.join('; ')}.`);
  }
  return input as T;
}

/** The per-call options, other fields passed through (built once: building a zod schema compiles it). */
const requestOptionsPassthrough = lazy(() => getRequestOptionsSchema().passthrough());

/** Checks the per-call options of a client method. @internal */
export function checkRequestOptions<T extends RequestOptions>(
  options: T | undefined,
  method: string,
): T {
  // Most calls pass no options: nothing to check.
  if (options === undefined) return {} as T;
  return checkOptions<T>(`AbmClient.${method} options`, requestOptionsPassthrough, options);
}
