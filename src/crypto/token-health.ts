import { InvalidArgumentError } from '../errors/index.js';

/** Options for {@link tokenHealth}. */
export interface TokenHealthOptions {
  /** The moment to evaluate at. Default: now. */
  now?: Date;
  /** Report `renew-soon` when the token expires within this many days. Default 30. */
  renewWithinDays?: number;
}

/** Where a server token stands: valid, due for renewal, or expired. */
export type TokenExpiryStatus = 'valid' | 'renew-soon' | 'expired';

/** The result of {@link tokenHealth}. */
export interface TokenHealth {
  /** `expired` at or after the expiry instant; `renew-soon` within `renewWithinDays` of it; else `valid`. */
  status: TokenExpiryStatus;
  /** When the token expires (a copy). */
  expiresAt: Date;
  /**
   * Whole days left, `Math.floor((expiry - now) / 1 day)`: 0 during the last 24 hours before
   * expiry (and at the expiry instant itself), negative once expired (-1 during the first day
   * after expiry, -2 during the second, …).
   */
  daysLeft: number;
}

const DAY_MS = 86_400_000;

/**
 * Says whether a server token is still valid, due for renewal, or expired. Tokens last
 * about one year; renew (download a new one in ABM) within 30 days of expiry. Pure: it
 * reads no clock unless `now` is omitted.
 *
 * @param token - Anything with an `accessTokenExpiry` date, e.g. a {@link ServerToken}.
 * @param options - The evaluation time and the renewal window.
 * @returns Status, expiry and whole days left (floored).
 * @throws {@link InvalidArgumentError} for an invalid date or a negative window.
 */
export function tokenHealth(
  token: { readonly accessTokenExpiry: Date },
  options: TokenHealthOptions = {},
): TokenHealth {
  const expiry = token?.accessTokenExpiry;
  // `?.`: a JavaScript caller may pass null for "no options".
  const now = options?.now ?? new Date();
  const renewWithinDays = options?.renewWithinDays ?? 30;
  if (!(expiry instanceof Date) || Number.isNaN(expiry.getTime())) {
    throw new InvalidArgumentError('tokenHealth: token.accessTokenExpiry must be a valid Date.');
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new InvalidArgumentError('tokenHealth: options.now must be a valid Date.');
  }
  if (!Number.isFinite(renewWithinDays) || renewWithinDays < 0) {
    throw new InvalidArgumentError('tokenHealth: options.renewWithinDays must be 0 or more.');
  }
  const msLeft = expiry.getTime() - now.getTime();
  const status: TokenExpiryStatus =
    msLeft <= 0 ? 'expired' : msLeft <= renewWithinDays * DAY_MS ? 'renew-soon' : 'valid';
  return { status, expiresAt: new Date(expiry.getTime()), daysLeft: Math.floor(msLeft / DAY_MS) };
}
