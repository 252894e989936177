import { z } from 'zod';
import { defineOperation, type Operation } from './operation.js';

/** One AppleSeed for IT beta-enrollment token. */
export const betaEnrollmentTokenSchema = z.looseObject({
  /** Program title, e.g. `iOS 18 Beta`. */
  title: z.string().nullish(),
  /** The enrollment token to put in a beta-enrollment configuration. */
  token: z.string().nullish(),
  /** Operating system the program is for. */
  os: z.string().nullish(),
});

/** One beta-enrollment token (inferred from {@link betaEnrollmentTokenSchema}). */
export type BetaEnrollmentToken = z.infer<typeof betaEnrollmentTokenSchema>;

/** `GET /os-beta-enrollment/tokens` response (older servers say `seedBuildTokens`). */
export const betaEnrollmentTokensResponseSchema = z.looseObject({
  /** Current key. */
  betaEnrollmentTokens: z.array(betaEnrollmentTokenSchema).nullish(),
  /** Older key for the same list. */
  seedBuildTokens: z.array(betaEnrollmentTokenSchema).nullish(),
});

/** Raw beta-enrollment response (inferred from {@link betaEnrollmentTokensResponseSchema}). */
export type BetaEnrollmentTokensResponse = z.infer<typeof betaEnrollmentTokensResponseSchema>;

/** `GET /os-beta-enrollment/tokens`. Safe to retry. @internal */
export const getBetaEnrollmentTokensOperation: Operation<BetaEnrollmentTokensResponse> =
  defineOperation({
    name: 'getBetaEnrollmentTokens',
    method: 'GET',
    path: '/os-beta-enrollment/tokens',
    retrySafe: true,
    auth: 'session',
    response: betaEnrollmentTokensResponseSchema,
  });
