/**
 * `/_sim/clock`: move the simulator clock (cursor age, session and token expiry). OAuth
 * timestamps stay on real time, so clients keep logging in.
 *
 * @internal
 * @module
 */
import { z } from 'zod';
import { parseBody } from './problem.js';
import { isoDateSchema } from './schemas.js';
import type { ControlContext, ControlResult, ControlRoute } from './types.js';

/** A hundred years: far enough for any scenario, small enough to stay a valid date. */
const MAX_SHIFT_MS = 100 * 366 * 86_400_000;

const clockSchema = z
  .strictObject({
    advanceMs: z.number().int().min(-MAX_SHIFT_MS).max(MAX_SHIFT_MS).optional(),
    at: isoDateSchema.optional(),
  })
  .refine((b) => (b.advanceMs === undefined) !== (b.at === undefined), {
    message: 'send either advanceMs (milliseconds to move forward, negative = back) or at',
  });

function now(ctx: ControlContext): ControlResult {
  const ms = ctx.sim.clock.now();
  return { status: 200, json: { now: new Date(ms).toISOString(), nowMs: ms } };
}

/** @internal */
export const clockRoutes: readonly ControlRoute[] = [
  {
    method: 'GET',
    path: '/_sim/clock',
    summary: '→ { now, nowMs }: the simulator time',
    handle: now,
  },
  {
    method: 'POST',
    path: '/_sim/clock',
    summary: '{ advanceMs } or { at } → { now, nowMs }: moves the simulator clock',
    handle(ctx) {
      const body = parseBody(ctx, clockSchema);
      if (body.advanceMs !== undefined) ctx.sim.clock.advance(body.advanceMs);
      if (body.at !== undefined) ctx.sim.clock.set(Date.parse(body.at));
      return now(ctx);
    },
  },
];
