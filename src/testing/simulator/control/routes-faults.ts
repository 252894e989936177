/**
 * `/_sim/faults`: the in-process fault shapes as JSON.
 *
 * @internal
 * @module
 */
import { z } from 'zod';
import type { SimFault } from '../types.js';
import { parseBody } from './problem.js';
import { headerNameSchema, headerValueSchema } from './schemas.js';
import type { ControlRoute } from './types.js';

const faultSchema = z.strictObject({
  endpoint: z
    .string()
    .max(200)
    .regex(
      /^(\/[\x21-\x7e]*|[A-Za-z][A-Za-z0-9]*)$/,
      'endpoint must be an endpoint name (e.g. fetchDevices) or a path starting with /',
    ),
  method: z
    .string()
    .regex(/^[A-Za-z]{1,16}$/, 'method must be an HTTP method')
    .optional(),
  after: z.number().int().min(0).max(1_000_000).optional(),
  times: z.union([z.number().int().min(1).max(1_000_000_000), z.literal('Infinity')]).optional(),
  status: z.number().int().min(100).max(599).optional(),
  retryAfter: z.union([z.number().int().min(0).max(86_400), headerValueSchema.max(64)]).optional(),
  body: z.union([z.string().max(65_536), z.record(z.string(), z.unknown())]).optional(),
  headers: z
    .record(headerNameSchema, headerValueSchema)
    .refine((h) => Object.keys(h).length <= 32, 'at most 32 headers')
    .optional(),
  drop: z.literal(true).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  malformed: z.literal(true).optional(),
  repeatCursor: z.literal(true).optional(),
});

function toFault(body: z.output<typeof faultSchema>): SimFault {
  const { times, ...rest } = body;
  const fault: SimFault = { ...rest } as SimFault;
  if (times !== undefined) fault.times = times === 'Infinity' ? Number.POSITIVE_INFINITY : times;
  return fault;
}

/** @internal */
export const faultRoutes: readonly ControlRoute[] = [
  {
    method: 'GET',
    path: '/_sim/faults',
    summary: '→ { faults }: scripted faults with calls left ("remaining")',
    handle: (ctx) => ({
      status: 200,
      json: {
        faults: ctx.sim.faults.list().map((f) => ({
          ...f,
          ...(f.times === Number.POSITIVE_INFINITY ? { times: 'Infinity' } : {}),
          remaining: Number.isFinite(f.remaining) ? f.remaining : 'Infinity',
        })),
      },
    }),
  },
  {
    method: 'POST',
    path: '/_sim/faults',
    summary:
      '{ endpoint, status?, retryAfter?, body?, headers?, after?, times?, drop?, delayMs?, malformed?, repeatCursor? } → 201 { id }',
    handle(ctx) {
      const id = ctx.sim.faults.add(toFault(parseBody(ctx, faultSchema)));
      return { status: 201, json: { id } };
    },
  },
  {
    method: 'DELETE',
    path: '/_sim/faults',
    summary: '?id=fault-1 removes one fault, no id removes all → { removed }',
    handle(ctx) {
      const id = ctx.query['id'];
      const before = ctx.sim.faults.list().length;
      if (id === undefined) ctx.sim.faults.clear();
      else ctx.sim.faults.remove(id);
      return { status: 200, json: { removed: before - ctx.sim.faults.list().length } };
    },
  },
];
