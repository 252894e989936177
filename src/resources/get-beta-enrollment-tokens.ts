import type { z } from 'zod';
import { lazy } from '../internal/zod.js';
import type {
  betaEnrollmentTokenSchema,
  betaEnrollmentTokensResponseSchema,
} from '../schemas/index.js';
import { defineOperation, type Operation } from './operation.js';

/** One AppleSeed for IT beta-enrollment token. Built on first use. @internal */
export const getBetaEnrollmentTokenSchema = lazy((z) =>
  z.looseObject({
    /** Program title, e.g. `iOS 18 Beta`. */
    title: z.string().nullish(),
    /** The enrollment token to put in a beta-enrollment configuration. */
    token: z.string().nullish(),
    /** Operating system the program is for. */
    os: z.string().nullish(),
  }),
);

/** One beta-enrollment token (inferred from {@link betaEnrollmentTokenSchema}). */
export type BetaEnrollmentToken = z.infer<typeof betaEnrollmentTokenSchema>;

/** `GET /os-beta-enrollment/tokens` response (older servers say `seedBuildTokens`). Built on first use. @internal */
export const getBetaEnrollmentTokensResponseSchema = lazy((z) =>
  z.looseObject({
    /** Current key. */
    betaEnrollmentTokens: z.array(getBetaEnrollmentTokenSchema()).nullish(),
    /** Older key for the same list. */
    seedBuildTokens: z.array(getBetaEnrollmentTokenSchema()).nullish(),
  }),
);

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
    response: getBetaEnrollmentTokensResponseSchema,
  });
