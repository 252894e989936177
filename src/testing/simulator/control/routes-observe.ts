/**
 * `/_sim/requests` (the request log) and `/_sim/reset`.
 *
 * @internal
 * @module
 */
import { z } from 'zod';
import { ControlProblem, parseBody } from './problem.js';
import type { ControlRoute } from './types.js';

const resetSchema = z.strictObject({ tokens: z.boolean().optional() });

/** @internal */
export const observeRoutes: readonly ControlRoute[] = [
  {
    method: 'GET',
    path: '/_sim/requests',
    summary: '?since=seq → { requests, counters }: the request log (Apple paths only)',
    handle(ctx) {
      const raw = ctx.query['since'] ?? '0';
      if (!/^\d{1,15}$/.test(raw)) {
        throw new ControlProblem(400, 'INVALID_ARGUMENT', 'since must be a sequence number (≥ 0).');
      }
      const since = Number(raw);
      return {
        status: 200,
        json: {
          requests: ctx.sim.requests.filter((entry) => entry.seq > since),
          counters: ctx.sim.counters,
        },
      };
    },
  },
  {
    method: 'POST',
    path: '/_sim/reset',
    summary: '{ tokens? } → { reset: true }: initial state (tokens kept unless tokens: true)',
    handle(ctx) {
      const body = parseBody(ctx, resetSchema);
      ctx.sim.reset({ tokens: body.tokens === true });
      return { status: 200, json: { reset: true } };
    },
  },
];
