import { z } from 'zod';
import { VERSION } from '../internal/version.js';
import { ROUTES } from './routes.js';
import { accountIdSchema, errorSchema, tokenIdSchema } from './schemas.js';

function schemaOf(value: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(value, {
    io: 'input',
    unrepresentable: 'any',
  });
  return rest;
}

/**
 * The OpenAPI 3.1 document of the admin API, generated from the same zod schemas that validate
 * its requests and shape its answers. Paths are relative to where the handler is mounted.
 */
export function adminOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = { 'application/json': { schema: schemaOf(errorSchema) } };
  for (const route of ROUTES) {
    const params: unknown[] = [];
    if (route.path.includes('{tokenId}')) {
      params.push({ name: 'tokenId', in: 'path', required: true, schema: schemaOf(tokenIdSchema) });
    }
    if (route.path.includes('{accountId}')) {
      params.push({
        name: 'accountId',
        in: 'path',
        required: true,
        schema: schemaOf(accountIdSchema),
      });
    }
    for (const q of route.query ?? []) {
      params.push({
        name: q.name,
        in: 'query',
        required: false,
        description: q.description,
        schema: { type: 'string' },
      });
    }
    const op: Record<string, unknown> = {
      operationId: route.id,
      summary: route.summary,
      parameters: params,
      responses: {
        [String(route.status ?? 200)]: {
          description: 'OK',
          content:
            route.response instanceof z.ZodType
              ? { 'application/json': { schema: schemaOf(route.response) } }
              : {
                  [route.response.contentType]: {
                    schema: { type: 'string', description: route.response.description },
                  },
                },
        },
        '4XX': { description: 'Bad request, refused, not found, too large', content: error },
        '5XX': { description: 'Failure (an AbmError code and its advice)', content: error },
      },
    };
    if (route.body !== undefined) {
      op['requestBody'] = {
        required: true,
        content:
          route.body instanceof z.ZodType
            ? { 'application/json': { schema: schemaOf(route.body) } }
            : {
                [route.body.contentType]: {
                  schema: { type: 'string', format: 'binary', description: route.body.description },
                },
              },
      };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'abmkit admin API',
      version: VERSION,
      description:
        "Token wizard, health, Sync Now, devices, Unassigned reasons, policy, CSV assignment and Business API accounts, doctor over an AbmManager. Every request passes the embedder's authorize(); no answer ever carries a secret.",
    },
    paths,
  };
}
