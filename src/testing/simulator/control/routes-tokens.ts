/**
 * `/_sim/tokens`: server-token files (`.p7m`) as ABM serves them, new servers and renewals.
 *
 * @internal
 * @module
 */
import { z } from 'zod';
import { parseBody } from './problem.js';
import { consumerKeySchema, isoDateSchema } from './schemas.js';
import type { ControlRoute } from './types.js';

const tokenFields = {
  consumerKey: consumerKeySchema.optional(),
  expiresAt: isoDateSchema.optional(),
};

const issueSchema = z.strictObject({
  certificatePem: z
    .string()
    .min(1)
    .max(65_536)
    .refine(
      (pem) => pem.includes('-----BEGIN CERTIFICATE-----'),
      'certificatePem must be a PEM certificate (-----BEGIN CERTIFICATE-----…)',
    ),
  ...tokenFields,
  format: z.enum(['smime', 'pem', 'base64']).optional(),
});

const credentialsSchema = z.strictObject(tokenFields);

/** @internal */
export const tokenRoutes: readonly ControlRoute[] = [
  {
    method: 'GET',
    path: '/_sim/tokens',
    summary: '→ { consumerKeys }: registered server tokens',
    handle: (ctx) => ({ status: 200, json: { consumerKeys: ctx.sim.tokens.list() } }),
  },
  {
    method: 'POST',
    path: '/_sim/tokens',
    summary:
      '{ certificatePem, consumerKey?, expiresAt?, format? } → the .p7m file; a renewal when consumerKey names a known server',
    async handle(ctx) {
      const body = parseBody(ctx, issueSchema);
      const issued = await ctx.sim.issueServerToken(body.certificatePem, {
        ...(body.consumerKey !== undefined ? { consumer_key: body.consumerKey } : {}),
        ...(body.expiresAt !== undefined ? { expiresAt: body.expiresAt } : {}),
        ...(body.format !== undefined ? { format: body.format } : {}),
      });
      return {
        status: 200,
        body: issued.file,
        headers: {
          'content-type':
            body.format === undefined || body.format === 'smime'
              ? 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"'
              : 'text/plain; charset=utf-8',
          'content-disposition': `attachment; filename="${issued.filename}"`,
          'x-sim-consumer-key': issued.consumerKey,
          'x-sim-token-expires-at': issued.expiresAt.toISOString(),
          'x-sim-renewal': String(issued.renewal),
        },
      };
    },
  },
  {
    method: 'POST',
    path: '/_sim/tokens/credentials',
    summary:
      '{ consumerKey?, expiresAt? } → the OAuth credentials JSON (the content of a server token)',
    handle(ctx) {
      const body = parseBody(ctx, credentialsSchema);
      const renewal =
        body.consumerKey !== undefined && ctx.sim.tokens.list().includes(body.consumerKey);
      const credentials = ctx.sim.tokens.create({
        ...(body.consumerKey !== undefined ? { consumer_key: body.consumerKey } : {}),
        ...(body.expiresAt !== undefined ? { expiresAt: body.expiresAt } : {}),
      });
      return { status: 200, json: credentials, headers: { 'x-sim-renewal': String(renewal) } };
    },
  },
];
