/**
 * Control-API errors: thrown by routes, rendered as {@link SimControlErrorBody} JSON.
 *
 * @internal
 * @module
 */
import type { z } from 'zod';
import type { ControlContext, SimControlErrorBody } from './types.js';

/** @internal A control-API error answer, thrown by a route. */
export class ControlProblem extends Error {
  readonly status: number;
  readonly body: SimControlErrorBody;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: Partial<SimControlErrorBody> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ControlProblem';
    this.status = status;
    this.body = { code, message, ...extra };
    this.headers = headers;
  }
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(body)' : path.map(String).join('.');
}

/**
 * @internal The JSON body validated by `schema`: 400 `MALFORMED_JSON` for unparsable text,
 * 400 `INVALID_BODY` (with every issue) for a body of the wrong shape. An empty body is `{}`.
 */
export function parseBody<S extends z.ZodType>(ctx: ControlContext, schema: S): z.output<S> {
  let value: unknown = {};
  if (ctx.rawBody.trim() !== '') {
    try {
      value = JSON.parse(ctx.rawBody);
    } catch {
      throw new ControlProblem(
        400,
        'MALFORMED_JSON',
        `The body of ${ctx.method} ${ctx.path} is not valid JSON; send a JSON object (e.g. curl --json '{…}').`,
      );
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: issuePath(i.path),
      message: i.message,
    }));
    throw new ControlProblem(
      400,
      'INVALID_BODY',
      `The body of ${ctx.method} ${ctx.path} is invalid: ${issues
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}. See docs/simulator.md#the-http-control-api.`,
      { issues },
    );
  }
  return parsed.data;
}
